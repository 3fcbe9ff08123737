// Backward of the scalar-A head scan by chunked recomputation (memory: see the header).
//
// With G_t = ∂L/∂S_t (P×N), carried backwards as G_{t−1} = a_t G_t + dy_{t−1} C_{t−1}ᵀ where
// a_t = exp(Δ_t A):
//   dC_t += Σ_p dy_t[p] S_t[p,:],   dD += Σ_p dy_t[p] x_t[p]
//   dx_t[p] = D dy_t[p] + Δ_t Σ_n G_t[p,n] B_t[n],   dB_t += Δ_t Σ_p G_t[p,:] x_t[p]
//   da_t = Σ_{p,n} G_t[p,n] S_{t−1}[p,n],  dΔ_t = da_t a_t A + Σ_p x_t[p] Σ_n G_t[p,n] B_t[n]
//   dA += da_t a_t Δ_t,  ddt_t = dΔ_t·softplus'(dt_t + bias)
#include <algorithm>
#include <vector>

#include "base/parallel_for.hpp"
#include "kernels/cpu/reduce_blocks.hpp"
#include "kernels/cpu/ssd_scan.hpp"
#include "kernels/cpu/ssd_scan_head.hpp"

namespace ssmscope::kernels {

template <class T>
void ssd_scan_backward(const SsdScanArgs<T>& a, const T* dy, const T* dlast_state,
                       const SsdScanGrads<T>& grads) {
    detail::check_ssd_scan(a);
    if (!dy || !grads.dx || !grads.ddelta)
        throw std::invalid_argument("ssd_scan_backward: dy, dx and ddelta are required");
    if ((grads.dD && !a.D) || (grads.ddelta_bias && !a.delta_bias))
        throw std::invalid_argument("ssd_scan_backward: dD, ddelta_bias need D, delta_bias");
    const SsdScanShape& s = a.shape;
    const std::int64_t Bn = s.batch, L = s.length, H = s.heads, P = s.head_dim, N = s.state,
                       G = s.groups;
    const std::int64_t HG = H / G, PN = P * N;
    const std::int64_t K = std::min<std::int64_t>(a.checkpoint_every, std::max<std::int64_t>(L, 1));
    const std::int64_t chunks = (L + K - 1) / K;
    const std::int64_t blocks = reduce_blocks(HG);

    const auto size = [](std::int64_t n) { return static_cast<std::size_t>(n); };
    std::vector<T> part_dB(size(Bn * G * blocks * L * N), T(0));  // (batch, G, blocks, L, N)
    std::vector<T> part_dC(size(Bn * G * blocks * L * N), T(0));  // (batch, G, blocks, L, N)
    std::vector<T> part_head(size(Bn * H * 3), T(0));  // (batch, H, 3): dA, dD, ddelta_bias

    parallel_for(Bn * G * blocks, a.threads, [&](std::int64_t item) {
        const std::int64_t b = item / (G * blocks);
        const std::int64_t g = (item / blocks) % G;
        const BlockRange r = block_range(HG, blocks, item % blocks);
        T* const pdB = part_dB.data() + item * L * N;  // (L, N)
        T* const pdC = part_dC.data() + item * L * N;

        std::vector<T> checkpoints(size(std::max<std::int64_t>(chunks, 1) * PN));  // (chunks,P,N)
        std::vector<T> states(size(K * PN));                                       // (K, P, N)
        std::vector<T> S(size(PN)), carry(size(PN));

        for (std::int64_t h = g * HG + r.begin; h < g * HG + r.end; ++h) {
            const detail::Head<T> hd = detail::head(a, b, h);
            std::fill(S.begin(), S.end(), T(0));
            for (std::int64_t ci = 0; ci < chunks; ++ci) {
                std::copy(S.begin(), S.end(), checkpoints.begin() + ci * PN);
                if (ci + 1 < chunks)
                    detail::scan_head<false>(hd, ci * K, (ci + 1) * K, S.data(),
                                             static_cast<T*>(nullptr), static_cast<T*>(nullptr));
            }
            if (dlast_state)
                std::copy(dlast_state + (b * H + h) * PN, dlast_state + (b * H + h + 1) * PN,
                          carry.begin());
            else
                std::fill(carry.begin(), carry.end(), T(0));
            T acc_dA = 0, acc_dD = 0, acc_dbias = 0;
            const std::int64_t seq_x = (b * L * H + h) * P;  // x[b, 0, h, 0]
            const std::int64_t seq_dt = b * L * H + h;       // delta[b, 0, h]
            for (std::int64_t ci = chunks - 1; ci >= 0; --ci) {
                const std::int64_t t0 = ci * K, t1 = std::min(L, t0 + K);
                std::copy(checkpoints.begin() + ci * PN, checkpoints.begin() + (ci + 1) * PN,
                          S.begin());
                detail::scan_head<true>(hd, t0, t1, S.data(), static_cast<T*>(nullptr),
                                        states.data());
                for (std::int64_t t = t1 - 1; t >= t0; --t) {
                    const std::int64_t i = t - t0;
                    const T* const St = states.data() + i * PN;
                    const T* const prev =
                        i > 0 ? states.data() + (i - 1) * PN : checkpoints.data() + ci * PN;
                    const T dt_in = hd.dt[t * H] + hd.bias;
                    const T delta = hd.delta(t);
                    const T decay = std::exp(delta * hd.A);
                    const T* __restrict xt = hd.x + t * hd.HP;
                    const T* __restrict Bt = hd.B + t * hd.GN;
                    const T* __restrict Ct = hd.C + t * hd.GN;
                    const T* __restrict dyt = dy + seq_x + t * hd.HP;
                    T* __restrict dxt = grads.dx + seq_x + t * hd.HP;
                    T* __restrict dBt = pdB + t * N;
                    T* __restrict dCt = pdC + t * N;
                    T da = 0, ddelta = 0;
                    for (std::int64_t p = 0; p < P; ++p) {
                        const T* __restrict Sp = St + p * N;
                        const T* __restrict prevp = prev + p * N;
                        T* __restrict gp = carry.data() + p * N;
                        const T dyp = dyt[p], xp = xt[p];
                        const T dx_in = delta * xp;
                        acc_dD += dyp * xp;
                        T gB = 0;
#pragma omp simd reduction(+ : da, gB)
                        for (std::int64_t n = 0; n < N; ++n) {
                            const T gn = gp[n] + dyp * Ct[n];
                            dCt[n] += dyp * Sp[n];
                            da += gn * prevp[n];
                            gB += gn * Bt[n];
                            dBt[n] += gn * dx_in;
                            gp[n] = decay * gn;
                        }
                        dxt[p] = hd.D * dyp + delta * gB;
                        ddelta += xp * gB;
                    }
                    ddelta += da * decay * hd.A;
                    acc_dA += da * decay * delta;
                    const T ddt = hd.softplus ? ddelta * softplus_grad(dt_in) : ddelta;
                    grads.ddelta[seq_dt + t * H] = ddt;
                    acc_dbias += ddt;
                }
            }
            T* ph = part_head.data() + (b * H + h) * 3;
            ph[0] = acc_dA;
            ph[1] = acc_dD;
            ph[2] = acc_dbias;
        }
    });

    if (grads.dB || grads.dC) {
        parallel_for(Bn * G, a.threads, [&](std::int64_t bg) {
            const std::int64_t b = bg / G, g = bg % G;
            for (std::int64_t t = 0; t < L; ++t) {
                for (std::int64_t n = 0; n < N; ++n) {
                    T sb = 0, sc = 0;
                    for (std::int64_t k = 0; k < blocks; ++k) {
                        const std::int64_t at = ((bg * blocks + k) * L + t) * N + n;
                        sb += part_dB[size(at)];
                        sc += part_dC[size(at)];
                    }
                    const std::int64_t out = ((b * L + t) * G + g) * N + n;
                    if (grads.dB)
                        grads.dB[out] = sb;
                    if (grads.dC)
                        grads.dC[out] = sc;
                }
            }
        });
    }
    for (std::int64_t h = 0; h < H; ++h) {
        T sums[3] = {0, 0, 0};
        for (std::int64_t b = 0; b < Bn; ++b) {
            for (int j = 0; j < 3; ++j)
                sums[j] += part_head[size((b * H + h) * 3 + j)];
        }
        if (grads.dA)
            grads.dA[h] = sums[0];
        if (grads.dD)
            grads.dD[h] = sums[1];
        if (grads.ddelta_bias)
            grads.ddelta_bias[h] = sums[2];
    }
}

template void ssd_scan_backward<float>(const SsdScanArgs<float>&, const float*, const float*,
                                       const SsdScanGrads<float>&);
template void ssd_scan_backward<double>(const SsdScanArgs<double>&, const double*, const double*,
                                        const SsdScanGrads<double>&);

}  // namespace ssmscope::kernels
