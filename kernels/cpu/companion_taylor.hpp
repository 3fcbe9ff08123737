// Internal to the companion scan (kernels/companion_scan.hpp): W units at a time ("lanes", the
// innermost index of every array, so that each loop over them vectorises), products with their
// companion matrices and the Taylor series of exp(M) v for an operator M known by its products.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ssmscope::kernels::detail {

inline constexpr int kLanes = 8;

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

// out = d ∘ (C v) (transposed = false) or d ∘ (C' v), lane by lane, C = companion(a) with a as
// (n, W): ones on the superdiagonal, last row −a'. O(n) per lane: a shift and one dot product or
// axpy. v, out: (n, W); d: (W), the lanes' steps.
template <class T>
void companion_times(const T* a, const T* v, T* out, std::int64_t n, bool transposed, const T* d) {
    constexpr int W = kLanes;
    if (!transposed) {
        T last[W] = {};
        for (std::int64_t j = 0; j < n; ++j) {
#pragma omp simd
            for (int w = 0; w < W; ++w)
                last[w] -= a[j * W + w] * v[j * W + w];
        }
        for (std::int64_t i = 0; i + 1 < n; ++i) {
#pragma omp simd
            for (int w = 0; w < W; ++w)
                out[i * W + w] = d[w] * v[(i + 1) * W + w];
        }
#pragma omp simd
        for (int w = 0; w < W; ++w)
            out[(n - 1) * W + w] = d[w] * last[w];
    } else {
        const T* top = v + (n - 1) * W;
#pragma omp simd
        for (int w = 0; w < W; ++w)
            out[w] = -d[w] * a[w] * top[w];
        for (std::int64_t j = 1; j < n; ++j) {
#pragma omp simd
            for (int w = 0; w < W; ++w)
                out[j * W + w] = d[w] * (v[(j - 1) * W + w] - a[j * W + w] * top[w]);
        }
    }
}

// v <- exp(M) v lane by lane for M given by op(in, out) on (dim, W) arrays, lane w with
// ||M_w||_1 <= norm[w], and, when integral is given, integral += ∫_0^1 exp(sM) v ds (of the v on
// entry). The series runs in s = max_w ceil(norm[w]) substeps (each of norm <= 1 in every lane)
// and stops when in every lane the ratio-test bound of the remainder is below the unit roundoff
// relative to the first `watched` rows of the sum (the part the caller needs). term, next:
// scratch of (dim, W).
template <class T, class Op>
void expmv(Op&& op, std::int64_t dim, T* v, const double* norm, T* integral, std::int64_t watched,
           T* term, T* next) {
    constexpr int W = kLanes;
    double worst = 0;
    for (int w = 0; w < W; ++w)
        worst = std::max(worst, norm[w]);
    const int substeps = std::max(1, static_cast<int>(std::ceil(worst)));
    const T f = static_cast<T>(1.0 / substeps);
    const T u = std::numeric_limits<T>::epsilon() / 2;
    const std::int64_t size = dim * W;
    for (int s = 0; s < substeps; ++s) {
        std::copy(v, v + size, term);
        if (integral) {
#pragma omp simd
            for (std::int64_t i = 0; i < size; ++i)
                integral[i] += f * term[i];
        }
        for (int k = 1; k <= 80; ++k) {
            op(term, next);
            const T c = f / static_cast<T>(k), ci = f / static_cast<T>(k + 1);
#pragma omp simd
            for (std::int64_t i = 0; i < size; ++i) {
                term[i] = c * next[i];
                v[i] += term[i];
            }
            if (integral) {
#pragma omp simd
                for (std::int64_t i = 0; i < size; ++i)
                    integral[i] += ci * term[i];
            }
            // ||T_{k+j}|| <= ||T_k|| theta^j / ((k+1)...(k+j)): the remainder after T_k is at most
            // ||T_k|| r / (1 − r) with r = theta / (k+1), theta = norm / substeps.
            T tsum[W] = {}, vsum[W] = {};
            for (std::int64_t i = 0; i < dim; ++i) {
#pragma omp simd
                for (int w = 0; w < W; ++w)
                    tsum[w] += std::abs(term[i * W + w]);
            }
            for (std::int64_t i = 0; i < watched; ++i) {
#pragma omp simd
                for (int w = 0; w < W; ++w)
                    vsum[w] += std::abs(v[i * W + w]);
            }
            bool done = true;
            for (int w = 0; w < W; ++w) {
                const double r = norm[w] / substeps / (k + 1);
                done = done && static_cast<double>(tsum[w]) * r / (1 - r) <=
                                   static_cast<double>(u * vsum[w]);
            }
            if (done)
                break;
        }
    }
}

}  // namespace ssmscope::kernels::detail
