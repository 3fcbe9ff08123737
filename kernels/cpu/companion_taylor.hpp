// Internal to the companion scan (kernels/companion_scan.hpp): products with a companion matrix
// and the Taylor series of exp(M) v for an operator M known only by its products.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ssmscope::kernels::detail {

// ||A||_1 of companion(a) (max(|a_0|, 1 + |a_j|)) or of its transpose (max(1, Σ|a_j|)).
template <class T>
double companion_norm1(const T* a, std::int64_t n, bool transposed) {
    double col = std::abs(static_cast<double>(a[0])), sum = 0;
    for (std::int64_t j = 0; j < n; ++j) {
        const double v = std::abs(static_cast<double>(a[j]));
        sum += v;
        if (j > 0)
            col = std::max(col, 1 + v);
    }
    return transposed ? std::max(1.0, sum) : col;
}

// out = C v (transposed = false) or C' v, C = companion(a): ones on the superdiagonal, last row
// −a'. O(n): a shift and one dot product or axpy.
template <class T>
void companion_times(const T* a, const T* v, T* out, std::int64_t n, bool transposed) {
    if (!transposed) {
        T last = 0;
        for (std::int64_t j = 0; j < n; ++j)
            last -= a[j] * v[j];
        for (std::int64_t i = 0; i + 1 < n; ++i)
            out[i] = v[i + 1];
        out[n - 1] = last;
    } else {
        const T top = v[n - 1];
        out[0] = -a[0] * top;
        for (std::int64_t j = 1; j < n; ++j)
            out[j] = v[j - 1] - a[j] * top;
    }
}

template <class T>
T sum_abs(const T* v, std::int64_t n) {
    T s = 0;
    for (std::int64_t i = 0; i < n; ++i)
        s += std::abs(v[i]);
    return s;
}

// v <- exp(M) v for M given by op(in, out) on vectors of `dim`, ||M||_1 <= norm, and, when
// integral is given, integral += ∫_0^1 exp(sM) v ds (of the v on entry). The series runs in
// s = ceil(norm) substeps of norm <= 1 and stops when the ratio-test bound of its remainder is
// below the unit roundoff relative to the first `watched` entries of the sum (the part the caller
// needs). term, next: scratch of `dim`.
template <class T, class Op>
void expmv(Op&& op, std::int64_t dim, T* v, double norm, T* integral, std::int64_t watched, T* term,
           T* next) {
    const int substeps = std::max(1, static_cast<int>(std::ceil(norm)));
    const double theta = norm / substeps;
    const T f = static_cast<T>(1.0 / substeps);
    const T u = std::numeric_limits<T>::epsilon() / 2;
    for (int s = 0; s < substeps; ++s) {
        std::copy(v, v + dim, term);
        if (integral) {
            for (std::int64_t i = 0; i < dim; ++i)
                integral[i] += f * term[i];
        }
        for (int k = 1; k <= 80; ++k) {
            op(term, next);
            const T c = f / static_cast<T>(k), ci = f / static_cast<T>(k + 1);
            for (std::int64_t i = 0; i < dim; ++i) {
                term[i] = c * next[i];
                v[i] += term[i];
            }
            if (integral) {
                for (std::int64_t i = 0; i < dim; ++i)
                    integral[i] += ci * term[i];
            }
            // ||T_{k+j}|| <= ||T_k|| theta^j / ((k+1)...(k+j)): the remainder after T_k is at most
            // ||T_k|| r / (1 − r) with r = theta / (k+1).
            const double r = theta / (k + 1);
            if (static_cast<double>(sum_abs(term, dim)) * r / (1 - r) <=
                static_cast<double>(u * sum_abs(v, watched)))
                break;
        }
    }
}

}  // namespace ssmscope::kernels::detail
