#include "kernels/cpu/companion_scan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/parallel_for.hpp"

namespace ssmscope::kernels {

namespace {

// ||A||_1 of companion(a) (max(|a_0|, 1 + |a_j|)) or of its transpose (max(1, Σ|a_j|)).
template <class T>
double norm1(const T* a, std::int64_t n, bool observable) {
    double col = std::abs(static_cast<double>(a[0])), sum = 0;
    for (std::int64_t j = 0; j < n; ++j) {
        const double v = std::abs(static_cast<double>(a[j]));
        sum += v;
        if (j > 0)
            col = std::max(col, 1 + v);
    }
    return observable ? std::max(1.0, sum) : col;
}

// out = A v for A = companion(a) (controllable) or companion(a)' (observable).
template <class T>
void times(const T* a, const T* v, T* out, std::int64_t n, bool observable) {
    if (!observable) {
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
T norm1_of(const T* v, std::int64_t n) {
    T s = 0;
    for (std::int64_t i = 0; i < n; ++i)
        s += std::abs(v[i]);
    return s;
}

// h <- exp(Δ Â) [h; x] restricted to the state: exp(ΔA) h + Δ φ1(ΔA) b x. term and next: n each.
template <class T>
void step(const T* a, const T* b, T x, double delta, double a_norm, std::int64_t n, bool observable,
          T* h, T* term, T* next) {
    const int substeps = std::max(1, static_cast<int>(std::ceil(delta * a_norm)));
    const T dt = static_cast<T>(delta / substeps);
    const double theta = delta * a_norm / substeps;  // ||dt A||_1 <= theta <= 1
    const T u = std::numeric_limits<T>::epsilon() / 2;
    for (int s = 0; s < substeps; ++s) {
        // T_1 = dt (A h + b x); T_k = (dt / k) A T_{k−1}: after the first, Â's input column is
        // multiplied by zero, so every later term is a product with A alone.
        times(a, h, next, n, observable);
        for (std::int64_t i = 0; i < n; ++i) {
            term[i] = dt * (next[i] + b[i] * x);
            h[i] += term[i];
        }
        for (int k = 2; k <= 64; ++k) {
            // ||T_{k+j}|| <= ||T_k|| theta^j / ((k+1)...(k+j)): the remainder after T_{k-1} is at
            // most ||T_{k-1}|| r / (1 − r) with r = theta / k.
            const double r = theta / k;
            if (norm1_of(term, n) * r / (1 - r) <= u * norm1_of(h, n))
                break;
            times(a, term, next, n, observable);
            const T f = dt / static_cast<T>(k);
            for (std::int64_t i = 0; i < n; ++i) {
                term[i] = f * next[i];
                h[i] += term[i];
            }
        }
    }
}

template <class T>
void check(const CompanionScanArgs<T>& a) {
    const CompanionScanShape& s = a.shape;
    if (s.batch < 0 || s.length < 0 || s.units < 1 || s.channels < 1 || s.order < 1 ||
        s.groups < 1 || s.units % s.groups != 0) {
        throw std::invalid_argument(
            "companion scan: shapes must be positive and the groups must divide the units (" +
            std::to_string(s.units) + " units, " + std::to_string(s.groups) + " groups)");
    }
    if (!a.coeffs || !a.delta || !a.x || !a.sel)
        throw std::invalid_argument("companion scan: coeffs, delta, x and sel are required");
}

}  // namespace

template <class T>
double companion_scan_max_norm(const CompanionScanArgs<T>& a) {
    check(a);
    const CompanionScanShape& s = a.shape;
    std::vector<double> unit_norm(static_cast<std::size_t>(s.units));
    for (std::int64_t u = 0; u < s.units; ++u)
        unit_norm[static_cast<std::size_t>(u)] =
            norm1(a.coeffs + u * s.order, s.order, a.observable);
    double worst = 0;
    const std::int64_t steps = s.batch * s.length;
    for (std::int64_t i = 0; i < steps; ++i) {
        for (std::int64_t u = 0; u < s.units; ++u) {
            const double v = static_cast<double>(a.delta[i * s.units + u]) *
                             unit_norm[static_cast<std::size_t>(u)];
            // NaN stays the worst: a non-finite step is refused, not scanned.
            if (!(v <= worst))
                worst = v;
        }
    }
    return worst;
}

template <class T>
void companion_scan_forward(const CompanionScanArgs<T>& a, T* y) {
    const double worst = companion_scan_max_norm(a);
    if (!(worst <= kCompanionScanMaxSubsteps)) {
        throw std::invalid_argument(
            "companion scan: a step has Δ ||A||_1 = " + std::to_string(worst) + ", more than " +
            std::to_string(kCompanionScanMaxSubsteps) + " substeps");
    }
    const CompanionScanShape& s = a.shape;
    const std::int64_t N = s.order, P = s.channels, U = s.units, per_group = U / s.groups;
    parallel_for(s.batch * U, a.threads, [&](std::int64_t item) {
        const std::int64_t b = item / U, u = item % U, g = u / per_group;
        const T* coeffs = a.coeffs + u * N;
        const double a_norm = norm1(coeffs, N, a.observable);
        std::vector<T> work(static_cast<std::size_t>((P + 3) * N), T(0));
        T* h = work.data();  // (P, N)
        T* term = h + P * N;
        T* next = term + N;
        T* e_n = next + N;  // the controllable form's fixed input vector
        e_n[N - 1] = 1;
        for (std::int64_t t = 0; t < s.length; ++t) {
            const std::int64_t bt = b * s.length + t;
            const double delta = static_cast<double>(a.delta[bt * U + u]);
            const T* sel = a.sel + (bt * s.groups + g) * N;
            const T* input = a.observable ? sel : e_n;
            const T* xt = a.x + (bt * U + u) * P;
            T* yt = y + (bt * U + u) * P;
            for (std::int64_t p = 0; p < P; ++p) {
                T* hp = h + p * N;
                step(coeffs, input, xt[p], delta, a_norm, N, a.observable, hp, term, next);
                if (a.observable) {
                    yt[p] = hp[N - 1];
                } else {
                    T acc = 0;
                    for (std::int64_t i = 0; i < N; ++i)
                        acc += sel[i] * hp[i];
                    yt[p] = acc;
                }
            }
        }
    });
}

template double companion_scan_max_norm<float>(const CompanionScanArgs<float>&);
template double companion_scan_max_norm<double>(const CompanionScanArgs<double>&);
template void companion_scan_forward<float>(const CompanionScanArgs<float>&, float*);
template void companion_scan_forward<double>(const CompanionScanArgs<double>&, double*);

}  // namespace ssmscope::kernels
