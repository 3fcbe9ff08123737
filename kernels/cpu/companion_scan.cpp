#include "kernels/cpu/companion_scan.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/parallel_for.hpp"
#include "kernels/cpu/companion_taylor.hpp"

namespace ssmscope::kernels {

namespace {

using detail::companion_norm1;
using detail::companion_times;
using detail::expmv;

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

template <class T>
void check_steps(const CompanionScanArgs<T>& a) {
    const double worst = companion_scan_max_norm(a);
    if (!(worst <= kCompanionScanMaxSubsteps)) {
        throw std::invalid_argument(
            "companion scan: a step has Δ ||A||_1 = " + std::to_string(worst) + ", more than " +
            std::to_string(kCompanionScanMaxSubsteps) + " substeps");
    }
}

// One unit of the scan: its coefficients, norms and the pointers of one batch row.
template <class T>
struct Unit {
    const CompanionScanArgs<T>& a;
    std::int64_t b, u, g;
    const T* coeffs;
    double norm, norm_t;  // ||A||_1, ||A'||_1
    std::vector<T> e_n;   // the controllable form's fixed input vector

    Unit(const CompanionScanArgs<T>& args, std::int64_t batch, std::int64_t unit)
        : a(args),
          b(batch),
          u(unit),
          g(unit / (args.shape.units / args.shape.groups)),
          coeffs(args.coeffs + unit * args.shape.order),
          norm(companion_norm1(coeffs, args.shape.order, args.observable)),
          norm_t(companion_norm1(coeffs, args.shape.order, !args.observable)),
          e_n(static_cast<std::size_t>(args.shape.order), T(0)) {
        e_n.back() = 1;
    }
    std::int64_t bt(std::int64_t t) const { return b * a.shape.length + t; }
    T delta(std::int64_t t) const { return a.delta[bt(t) * a.shape.units + u]; }
    const T* x(std::int64_t t) const {
        return a.x + (bt(t) * a.shape.units + u) * a.shape.channels;
    }
    const T* sel(std::int64_t t) const {
        return a.sel + (bt(t) * a.shape.groups + g) * a.shape.order;
    }
    const T* input(std::int64_t t) const { return a.observable ? sel(t) : e_n.data(); }
};

// Scratch of one thread's item.
template <class T>
struct Work {
    std::vector<T> v, term, next;
    explicit Work(std::int64_t n) : v(4 * (n + 1)), term(4 * (n + 1)), next(4 * (n + 1)) {}
};

// h <- exp(ΔÂ) [h; x], Â = [[A, b], [0, 0]]: exp(ΔA) h + Δ φ1(ΔA) b x. After the first term the
// input column meets a zero, so the remainder bound needs only ||ΔA||_1.
template <class T>
void step(const Unit<T>& U, std::int64_t t, T x, T* h, Work<T>& w) {
    const std::int64_t n = U.a.shape.order;
    const T d = U.delta(t);
    const T* bv = U.input(t);
    std::copy(h, h + n, w.v.data());
    w.v[static_cast<std::size_t>(n)] = x;
    const auto op = [&](const T* in, T* out) {
        companion_times(U.coeffs, in, out, n, U.a.observable);
        for (std::int64_t i = 0; i < n; ++i)
            out[i] = d * (out[i] + bv[i] * in[n]);
        out[n] = 0;
    };
    expmv(op, n + 1, w.v.data(), static_cast<double>(d) * U.norm, static_cast<T*>(nullptr), n,
          w.term.data(), w.next.data());
    std::copy(w.v.data(), w.v.data() + n, h);
}

template <class T>
T output(const Unit<T>& U, std::int64_t t, const T* h) {
    const std::int64_t n = U.a.shape.order;
    if (U.a.observable)
        return h[n - 1];
    const T* c = U.sel(t);
    T acc = 0;
    for (std::int64_t i = 0; i < n; ++i)
        acc += c[i] * h[i];
    return acc;
}

// The step's part of dL/da: with X̂ = ΔÂ, v = [h_{t−1}; x], ĝ = [g; 0] (g = dL/dh_t),
//   dL/dA = Δ ∫_0^1 μ(s) w(1−s)' ds,   μ(s) = [exp(sX̂')ĝ]_state,  w(r) = [exp(rX̂)v]_state,
// the adjoint of the Fréchet derivative of the exponential. a enters A only through its last row
// (controllable, ∂A/∂a_j = −e_N e_j') or last column (observable, −e_j e_N'), so only that row or
// column is needed, and it is the top of exp(𝓜)[0; e_N] for the block-triangular
//   𝓜 = [[X̂, α v ĝ'], [0, X̂]]    (controllable)    or    [[X̂', α ĝ v'], [0, X̂']]    (observable)
// (the top-right block of exp([[P, R], [0, S]]) is ∫_0^1 exp((1−s)P) R exp(sS) ds), one more
// vector series with O(N) products. α scales the coupling to ||X̂||_1 and is divided out.
template <class T>
void frechet(const Unit<T>& U, std::int64_t t, const T* hp, T x, const T* g, T* da, Work<T>& w,
             std::vector<T>& v) {
    const std::int64_t n = U.a.shape.order, m = n + 1;
    const T d = U.delta(t);
    const T* bv = U.input(t);
    const T vnorm = detail::sum_abs(hp, n) + std::abs(x);
    T gmax = 0;
    for (std::int64_t i = 0; i < n; ++i)
        gmax = std::max(gmax, std::abs(g[i]));
    if (vnorm == 0 || gmax == 0)
        return;
    const double xnorm = static_cast<double>(d) *
                         (std::max(U.norm, U.norm_t) + static_cast<double>(detail::sum_abs(bv, n)));
    const T alpha = static_cast<T>(xnorm / static_cast<double>(vnorm * gmax));
    const bool obs = U.a.observable;
    // X̂ z = Δ [A z_s + b z_x; 0];  X̂' z = Δ [A' z_s; b · z_s].
    const auto xhat = [&](const T* z, T* o) {
        companion_times(U.coeffs, z, o, n, obs);
        for (std::int64_t i = 0; i < n; ++i)
            o[i] = d * (o[i] + bv[i] * z[n]);
        o[n] = 0;
    };
    const auto xhat_t = [&](const T* z, T* o) {
        companion_times(U.coeffs, z, o, n, !obs);
        T dot = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            o[i] *= d;
            dot += bv[i] * z[i];
        }
        o[n] = d * dot;
    };
    const auto op = [&](const T* in, T* out) {
        const T* q = in + m;
        if (!obs) {
            xhat(in, out);
            xhat(q, out + m);
            T gq = 0;
            for (std::int64_t i = 0; i < n; ++i)
                gq += g[i] * q[i];
            const T c = alpha * gq;
            for (std::int64_t i = 0; i < n; ++i)
                out[i] += c * hp[i];
            out[n] += c * x;
        } else {
            xhat_t(in, out);
            xhat_t(q, out + m);
            T vq = x * q[n];
            for (std::int64_t i = 0; i < n; ++i)
                vq += hp[i] * q[i];
            const T c = alpha * vq;
            for (std::int64_t i = 0; i < n; ++i)
                out[i] += c * g[i];
        }
    };
    std::fill(v.begin(), v.begin() + 2 * m, T(0));
    v[static_cast<std::size_t>(m + n - 1)] = 1;
    expmv(op, 2 * m, v.data(), 2 * xnorm, static_cast<T*>(nullptr), n, w.term.data(),
          w.next.data());
    for (std::int64_t j = 0; j < n; ++j)
        da[j] -= d * v[static_cast<std::size_t>(j)] / alpha;
}

}  // namespace

template <class T>
double companion_scan_max_norm(const CompanionScanArgs<T>& a) {
    check(a);
    const CompanionScanShape& s = a.shape;
    std::vector<double> unit_norm(static_cast<std::size_t>(s.units));
    for (std::int64_t u = 0; u < s.units; ++u) {
        // The backward also steps with A'; its norm bounds the substeps there.
        const T* c = a.coeffs + u * s.order;
        unit_norm[static_cast<std::size_t>(u)] = std::max(
            companion_norm1(c, s.order, a.observable), companion_norm1(c, s.order, !a.observable));
    }
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
    check_steps(a);
    const CompanionScanShape& s = a.shape;
    const std::int64_t N = s.order, P = s.channels, U = s.units;
    parallel_for(s.batch * U, a.threads, [&](std::int64_t item) {
        const Unit<T> unit(a, item / U, item % U);
        Work<T> w(N);
        std::vector<T> h(static_cast<std::size_t>(P * N), T(0));
        for (std::int64_t t = 0; t < s.length; ++t) {
            const T* xt = unit.x(t);
            T* yt = y + (unit.bt(t) * U + unit.u) * P;
            for (std::int64_t p = 0; p < P; ++p) {
                step(unit, t, xt[p], h.data() + p * N, w);
                yt[p] = output(unit, t, h.data() + p * N);
            }
        }
    });
}

template <class T>
void companion_scan_backward(const CompanionScanArgs<T>& a, const T* dy,
                             const CompanionScanGrads<T>& grads) {
    check_steps(a);
    if (!grads.dx || !grads.ddelta || !grads.dcoeffs || !grads.dsel)
        throw std::invalid_argument("companion scan backward: every gradient is required");
    const CompanionScanShape& s = a.shape;
    const std::int64_t N = s.order, P = s.channels, U = s.units, L = s.length;
    const std::int64_t per_group = U / s.groups;
    const std::int64_t K = std::max<std::int64_t>(1, a.checkpoint_every);
    const std::int64_t chunks = (L + K - 1) / K;
    const auto at = [](std::int64_t i) { return static_cast<std::size_t>(i); };
    // dcoeffs sums over the batch: per-row partials, added in a fixed order below.
    std::vector<T> dcoeffs_rows(at(s.batch * U * N), T(0));
    std::fill(grads.dsel, grads.dsel + s.batch * L * s.groups * N, T(0));
    // One item per (batch row, group): the units of a group add into the same dsel rows.
    parallel_for(s.batch * s.groups, a.threads, [&](std::int64_t item) {
        const std::int64_t b = item / s.groups, grp = item % s.groups;
        Work<T> w(N);
        std::vector<T> ckpt(at((chunks + 1) * P * N)), states(at((K + 1) * P * N));
        std::vector<T> g(at(P * N)), integral(at(N)), frechet_v(at(2 * (N + 1)));
        for (std::int64_t u = grp * per_group; u < (grp + 1) * per_group; ++u) {
            const Unit<T> unit(a, b, u);
            // Forward: the state before every chunk.
            std::vector<T> h(at(P * N), T(0));
            for (std::int64_t c = 0; c < chunks; ++c) {
                std::copy(h.begin(), h.end(), ckpt.begin() + c * P * N);
                for (std::int64_t t = c * K; t < std::min(L, (c + 1) * K); ++t)
                    for (std::int64_t p = 0; p < P; ++p)
                        step(unit, t, unit.x(t)[p], h.data() + p * N, w);
            }
            std::fill(g.begin(), g.end(), T(0));  // dL/dh_t from the tokens after t
            T* da = dcoeffs_rows.data() + (b * U + u) * N;
            for (std::int64_t c = chunks - 1; c >= 0; --c) {
                const std::int64_t t0 = c * K, t1 = std::min(L, (c + 1) * K);
                // The chunk's states again: states[k] = h_{t0+k-1}.
                std::copy(ckpt.begin() + c * P * N, ckpt.begin() + (c + 1) * P * N, states.begin());
                for (std::int64_t t = t0; t < t1; ++t) {
                    T* next = states.data() + (t - t0 + 1) * P * N;
                    std::copy(next - P * N, next, next);
                    for (std::int64_t p = 0; p < P; ++p)
                        step(unit, t, unit.x(t)[p], next + p * N, w);
                }
                for (std::int64_t t = t1 - 1; t >= t0; --t) {
                    const T d = unit.delta(t);
                    const T* bv = unit.input(t);
                    const T* xt = unit.x(t);
                    const T* sel = unit.sel(t);
                    const std::int64_t bt = unit.bt(t);
                    const T* dyt = dy + (bt * U + u) * P;
                    T* dsel = grads.dsel + (bt * s.groups + grp) * N;
                    T ddelta = 0;
                    for (std::int64_t p = 0; p < P; ++p) {
                        const T* hp = states.data() + (t - t0) * P * N + p * N;  // h_{t-1}
                        const T* ht = hp + P * N;                                // h_t
                        T* gp = g.data() + p * N;
                        // The output y_t[p].
                        if (a.observable) {
                            gp[N - 1] += dyt[p];
                        } else {
                            for (std::int64_t i = 0; i < N; ++i) {
                                gp[i] += dyt[p] * sel[i];
                                dsel[i] += dyt[p] * ht[i];
                            }
                        }
                        // dh_t/dΔ = A h_t + b x.
                        companion_times(unit.coeffs, ht, w.next.data(), N, a.observable);
                        for (std::int64_t i = 0; i < N; ++i)
                            ddelta += gp[i] * (w.next[at(i)] + bv[i] * xt[p]);
                        // dL/dA through the Fréchet derivative of exp(ΔÂ) (before g moves on).
                        frechet(unit, t, hp, xt[p], gp, da, w, frechet_v);
                        // g <- exp(ΔA') g, with I = ∫_0^1 exp(sΔA') g ds for x and b.
                        std::fill(integral.begin(), integral.end(), T(0));
                        const auto adj = [&](const T* in, T* out) {
                            companion_times(unit.coeffs, in, out, N, !a.observable);
                            for (std::int64_t i = 0; i < N; ++i)
                                out[i] *= d;
                        };
                        expmv(adj, N, gp, static_cast<double>(d) * unit.norm_t, integral.data(), N,
                              w.term.data(), w.next.data());
                        T dx = 0;
                        for (std::int64_t i = 0; i < N; ++i)
                            dx += bv[i] * integral[at(i)];
                        grads.dx[(bt * U + u) * P + p] = d * dx;
                        if (a.observable) {
                            for (std::int64_t i = 0; i < N; ++i)
                                dsel[i] += d * xt[p] * integral[at(i)];
                        }
                    }
                    grads.ddelta[bt * U + u] = ddelta;
                }
            }
        }
    });
    for (std::int64_t u = 0; u < U; ++u) {
        for (std::int64_t i = 0; i < N; ++i) {
            T sum = 0;
            for (std::int64_t b = 0; b < s.batch; ++b)
                sum += dcoeffs_rows[at((b * U + u) * N + i)];
            grads.dcoeffs[u * N + i] = sum;
        }
    }
}

template double companion_scan_max_norm<float>(const CompanionScanArgs<float>&);
template double companion_scan_max_norm<double>(const CompanionScanArgs<double>&);
template void companion_scan_forward<float>(const CompanionScanArgs<float>&, float*);
template void companion_scan_forward<double>(const CompanionScanArgs<double>&, double*);
template void companion_scan_backward<float>(const CompanionScanArgs<float>&, const float*,
                                             const CompanionScanGrads<float>&);
template void companion_scan_backward<double>(const CompanionScanArgs<double>&, const double*,
                                              const CompanionScanGrads<double>&);

}  // namespace ssmscope::kernels
