// Backward of the modal scan by chunked recomputation (memory: see the header).
//
// For a complex intermediate v, G_v = ∂L/∂Re v + i ∂L/∂Im v; through v = a·b, G_a = conj(b)·G_v,
// and through a holomorphic v = f(w), G_w = conj(f'(w))·G_v. With G_t = G_{z_t} carried backwards
// as G_{t−1} = conj(e_t)·G_t + conj(o_{t−1})·dy_{t−1}, e = exp(Δλ), q = φ·g:
//   G_o += conj(z_t)·dy_t,   G_e = Σ_p conj(z_{t−1})·G_t,   G_q = Σ_p x_t·G_t
//   dx_t = Σ_n Re(conj(q)·G_t),   G_g = conj(φ)·G_q,   G_φ = conj(g)·G_q
//   dΔ_t = Σ_n Re(conj(λe)·G_e) + Re(conj(e)·G_φ)        (∂e/∂Δ = λe, ∂φ/∂Δ = e)
//   G_λ += Δ·conj(e)·G_e + conj(∂φ/∂λ)·G_φ,   ∂φ/∂λ = (Δe − φ)/λ  (Δ²/2 at λ = 0)
#include <algorithm>
#include <vector>

#include "base/parallel_for.hpp"
#include "kernels/cpu/modal_scan.hpp"
#include "kernels/cpu/modal_scan_unit.hpp"

namespace ssmscope::kernels {

template <class T>
void modal_scan_backward(const ModalScanArgs<T>& a, const T* dy, const T* dlast_re,
                         const T* dlast_im, const ModalScanGrads<T>& grads) {
    detail::check_modal_scan(a);
    if (!dy || !grads.dx || !grads.ddelta)
        throw std::invalid_argument("modal_scan_backward: dy, dx and ddelta are required");
    if (!dlast_re != !dlast_im)
        throw std::invalid_argument("modal_scan_backward: pass both parts of dlast or neither");
    const ModalScanShape& s = a.shape;
    const std::int64_t Bn = s.batch, L = s.length, U = s.units, P = s.channels, N = s.modes;
    const std::int64_t PN = P * N;
    const std::int64_t K = std::min<std::int64_t>(a.checkpoint_every, std::max<std::int64_t>(L, 1));
    const std::int64_t chunks = (L + K - 1) / K;

    const auto size = [](std::int64_t n) { return static_cast<std::size_t>(n); };
    // Sums over the batch, one (U, N) slice per batch row, each (real, imaginary):
    // part[((b·U + u)·6 + j)·N + n], j = λ re, λ im, fixed g re, im, fixed o re, im.
    std::vector<T> part(size(Bn * U * 6 * N), T(0));

    parallel_for(Bn * U, a.threads, [&](std::int64_t item) {
        const std::int64_t b = item / U, u = item % U;
        const detail::Unit<T> un = detail::unit(a, b, u);
        std::vector<T> checkpoints(size(std::max<std::int64_t>(chunks, 1) * 2 * PN));
        std::vector<T> states(size(2 * K * PN));  // (K, P, N) real, then imaginary
        std::vector<T> z(size(2 * PN)), carry(size(2 * PN));
        std::vector<T> coeffs(size(6 * N)), acc(size(6 * N));
        T* c = coeffs.data();
        const detail::ModeRow<T> row{c, c + N, c + 2 * N, c + 3 * N, c + 4 * N, c + 5 * N};
        T* const zr = z.data();
        T* const zi = z.data() + PN;
        T* const sr = states.data();
        T* const si = states.data() + K * PN;
        T* const gzr = carry.data();
        T* const gzi = carry.data() + PN;
        T* const pu = part.data() + item * 6 * N;  // item = b·U + u

        std::fill(z.begin(), z.end(), T(0));
        for (std::int64_t ci = 0; ci < chunks; ++ci) {
            T* ck = checkpoints.data() + ci * 2 * PN;
            std::copy(zr, zr + PN, ck);
            std::copy(zi, zi + PN, ck + PN);
            if (ci + 1 < chunks)
                detail::scan_unit<false>(un, ci * K, (ci + 1) * K, zr, zi, static_cast<T*>(nullptr),
                                         static_cast<T*>(nullptr), static_cast<T*>(nullptr), row);
        }
        if (dlast_re) {
            std::copy(dlast_re + item * PN, dlast_re + (item + 1) * PN, gzr);
            std::copy(dlast_im + item * PN, dlast_im + (item + 1) * PN, gzi);
        } else {
            std::fill(carry.begin(), carry.end(), T(0));
        }

        for (std::int64_t ci = chunks - 1; ci >= 0; --ci) {
            const std::int64_t t0 = ci * K, t1 = std::min(L, t0 + K);
            const T* ck = checkpoints.data() + ci * 2 * PN;
            std::copy(ck, ck + PN, zr);
            std::copy(ck + PN, ck + 2 * PN, zi);
            detail::scan_unit<true>(un, t0, t1, zr, zi, static_cast<T*>(nullptr), sr, si, row);
            for (std::int64_t t = t1 - 1; t >= t0; --t) {
                const std::int64_t i = t - t0;
                detail::mode_row(un, t, row);
                const T delta = un.delta[t * U];
                const T* __restrict er = row.er;
                const T* __restrict ei = row.ei;
                const T* __restrict qr = row.qr;
                const T* __restrict qi = row.qi;
                const T* __restrict orr = un.orr + t * un.o_step;
                const T* __restrict oi = un.oi + t * un.o_step;
                const T* __restrict xt = un.x + t * un.UP;
                const T* __restrict dyt = dy + (b * L * U + u) * P + t * un.UP;
                T* __restrict dxt = grads.dx + (b * L * U + u) * P + t * un.UP;
                // Sums over the channels, per mode: G_e, G_q, G_o (real, imaginary).
                std::fill(acc.begin(), acc.end(), T(0));
                T* __restrict Ger = acc.data();
                T* __restrict Gei = acc.data() + N;
                T* __restrict Gqr = acc.data() + 2 * N;
                T* __restrict Gqi = acc.data() + 3 * N;
                T* __restrict Gor = acc.data() + 4 * N;
                T* __restrict Goi = acc.data() + 5 * N;
                for (std::int64_t p = 0; p < P; ++p) {
                    const T* __restrict ztr = sr + (i * P + p) * N;
                    const T* __restrict zti = si + (i * P + p) * N;
                    const T* __restrict pvr = i > 0 ? sr + ((i - 1) * P + p) * N : ck + p * N;
                    const T* __restrict pvi = i > 0 ? si + ((i - 1) * P + p) * N : ck + PN + p * N;
                    T* __restrict gr = gzr + p * N;
                    T* __restrict gi = gzi + p * N;
                    const T dyp = dyt[p], xp = xt[p];
                    T dx = 0;
#pragma omp simd reduction(+ : dx)
                    for (std::int64_t n = 0; n < N; ++n) {
                        const T Gr = gr[n] + orr[n] * dyp;
                        const T Gi = gi[n] - oi[n] * dyp;
                        Gor[n] += ztr[n] * dyp;
                        Goi[n] -= zti[n] * dyp;
                        Ger[n] += pvr[n] * Gr + pvi[n] * Gi;
                        Gei[n] += pvr[n] * Gi - pvi[n] * Gr;
                        Gqr[n] += xp * Gr;
                        Gqi[n] += xp * Gi;
                        dx += qr[n] * Gr + qi[n] * Gi;
                        gr[n] = er[n] * Gr + ei[n] * Gi;
                        gi[n] = er[n] * Gi - ei[n] * Gr;
                    }
                    dxt[p] = dx;
                }
                const T* g_r = un.gr + t * un.g_step;
                const T* g_i = un.gi + t * un.g_step;
                T dd = 0;
                for (std::int64_t n = 0; n < N; ++n) {
                    const T lr = un.lr[n], li = un.li[n];
                    const T pr = row.pr[n], pim = row.pi[n];
                    // G_φ = conj(g)·G_q, G_g = conj(φ)·G_q.
                    const T Gpr = g_r[n] * Gqr[n] + g_i[n] * Gqi[n];
                    const T Gpi = g_r[n] * Gqi[n] - g_i[n] * Gqr[n];
                    const T Ggr = pr * Gqr[n] + pim * Gqi[n];
                    const T Ggi = pr * Gqi[n] - pim * Gqr[n];
                    // Through e = exp(Δλ).
                    const T ler = lr * er[n] - li * ei[n], lei = lr * ei[n] + li * er[n];
                    dd += ler * Ger[n] + lei * Gei[n];
                    T Glr = delta * (er[n] * Ger[n] + ei[n] * Gei[n]);
                    T Gli = delta * (er[n] * Gei[n] - ei[n] * Ger[n]);
                    // Through φ(Δ, λ).
                    dd += er[n] * Gpr + ei[n] * Gpi;
                    T wr, wi;
                    if (lr == T(0) && li == T(0)) {
                        wr = delta * delta / 2;
                        wi = 0;
                    } else {
                        detail::complex_divide(delta * er[n] - pr, delta * ei[n] - pim, lr, li, wr,
                                               wi);
                    }
                    Glr += wr * Gpr + wi * Gpi;
                    Gli += wr * Gpi - wi * Gpr;
                    pu[0 * N + n] += Glr;
                    pu[1 * N + n] += Gli;
                    if (a.g_selective) {
                        const std::int64_t at = t * un.g_step + (un.gr - a.g_re) + n;
                        if (grads.dg_re)
                            grads.dg_re[at] = Ggr;
                        if (grads.dg_im)
                            grads.dg_im[at] = Ggi;
                    } else {
                        pu[2 * N + n] += Ggr;
                        pu[3 * N + n] += Ggi;
                    }
                    if (a.o_selective) {
                        const std::int64_t at = t * un.o_step + (un.orr - a.o_re) + n;
                        if (grads.do_re)
                            grads.do_re[at] = Gor[n];
                        if (grads.do_im)
                            grads.do_im[at] = Goi[n];
                    } else {
                        pu[4 * N + n] += Gor[n];
                        pu[5 * N + n] += Goi[n];
                    }
                }
                grads.ddelta[(b * L * U + u) + t * U] = dd;
            }
        }
    });

    // Sums over the batch in a fixed order.
    T* const outs[6] = {grads.dlambda_re,
                        grads.dlambda_im,
                        a.g_selective ? nullptr : grads.dg_re,
                        a.g_selective ? nullptr : grads.dg_im,
                        a.o_selective ? nullptr : grads.do_re,
                        a.o_selective ? nullptr : grads.do_im};
    for (int j = 0; j < 6; ++j) {
        if (!outs[j])
            continue;
        for (std::int64_t u = 0; u < U; ++u) {
            for (std::int64_t n = 0; n < N; ++n) {
                T sum = 0;
                for (std::int64_t b = 0; b < Bn; ++b)
                    sum += part[size(((b * U + u) * 6 + j) * N + n)];
                outs[j][u * N + n] = sum;
            }
        }
    }
}

template void modal_scan_backward<float>(const ModalScanArgs<float>&, const float*, const float*,
                                         const float*, const ModalScanGrads<float>&);
template void modal_scan_backward<double>(const ModalScanArgs<double>&, const double*,
                                          const double*, const double*,
                                          const ModalScanGrads<double>&);

}  // namespace ssmscope::kernels
