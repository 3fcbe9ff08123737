// Backward of the fused selective scan by chunked recomputation (memory: see the header).
//
// With g_t = ∂L/∂h_t (carried backwards as g_{t−1} = exp(Δ_t A) ⊙ g_t + C_{t−1} dyraw_{t−1}):
//   dyraw_t = dy_t·SiLU(z_t),  dz_t = dy_t·yraw_t·SiLU'(z_t),  yraw_t = C_t·h_t + D u_t
//   dC_t += dyraw_t h_t,   dD += dyraw_t u_t,   du_t = D dyraw_t + Δ_t Σ_n g_t,n B_t,n
//   dB_t += g_t Δ_t u_t,   dA += g_t ⊙ h_{t−1} ⊙ exp(Δ_t A) Δ_t
//   dΔ_t = Σ_n g_t,n (h_{t−1},n exp(Δ_t A_n) A_n + B_t,n u_t),  ddt_t = dΔ_t·softplus'(dt_t + bias)
#include <algorithm>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

#include "base/parallel_for.hpp"
#include "kernels/cpu/cpu_isa.hpp"
#include "kernels/cpu/reduce_blocks.hpp"
#include "kernels/cpu/selective_scan.hpp"
#include "kernels/cpu/selective_scan_channel.hpp"
#include "kernels/cpu/selective_scan_isa.hpp"

namespace ssmscope::kernels {

namespace {

// Channels recomputed and differentiated together, step by step (see scan_channels).
constexpr std::int64_t kChannelsTogether = 16;

// The lane width of the lane-parallel backward (selective_scan_lanes_backward.hpp) for these
// arguments, or 0 where the scalar loops below run instead: as for the forward, float on an AVX2 or
// AVX-512 CPU with groups of whole blocks.
template <class T>
std::int64_t lane_width(const SelectiveScanShape& s) {
    if constexpr (!std::is_same_v<T, float>) {
        return 0;
    } else {
        const CpuIsa isa = cpu_isa();
        if (isa == CpuIsa::Scalar)
            return 0;
        const std::int64_t width = isa == CpuIsa::Avx512 ? 16 : 8;
        return s.groups > 1 && (s.channels / s.groups) % width != 0 ? 0 : width;
    }
}

// Channels [g·EG + begin·width, …) in blocks of `width`, through the lane kernel.
void lanes_backward(const SelectiveScanArgs<float>& a, const float* dy, const float* dlast_state,
                    const SelectiveScanGrads<float>& grads, std::int64_t width, std::int64_t b,
                    std::int64_t g, BlockRange blocks, float* pdB, float* pdC, float* part_dA,
                    float* part_dD, float* part_dbias) {
    const SelectiveScanShape& s = a.shape;
    const std::int64_t E = s.channels, N = s.state, EG = E / s.groups;
    const std::int64_t K =
        std::min<std::int64_t>(a.checkpoint_every, std::max<std::int64_t>(s.length, 1));
    constexpr std::align_val_t kAlign{64};
    const auto floats =
        static_cast<std::size_t>(selective_scan_lanes_backward_scratch(N, s.length, K));
    const std::unique_ptr<float, void (*)(float*)> scratch(
        static_cast<float*>(::operator new(floats * sizeof(float), kAlign)),
        [](float* p) { ::operator delete(p, kAlign); });
    const auto run =
        width == 16 ? selective_scan_lanes_backward_avx512 : selective_scan_lanes_backward_avx2;
    for (std::int64_t lb = blocks.begin; lb < blocks.end; ++lb) {
        SelectiveScanLanesBackwardJob job;
        job.args = &a;
        job.dy = dy;
        job.dlast_state = dlast_state;
        job.grads = &grads;
        job.b = b;
        job.d0 = g * EG + lb * width;
        job.count = std::min(width, EG - lb * width);
        job.pdB = pdB;
        job.pdC = pdC;
        job.part_dA = part_dA + (b * E + job.d0) * N;
        job.part_dD = part_dD + b * E + job.d0;
        job.part_dbias = part_dbias + b * E + job.d0;
        job.scratch = scratch.get();
        run(job);
    }
}

}  // namespace

template <class T>
void selective_scan_backward(const SelectiveScanArgs<T>& a, const T* dy, const T* dlast_state,
                             const SelectiveScanGrads<T>& grads) {
    detail::check_selective_scan(a);
    if (!dy || !grads.du || !grads.ddelta)
        throw std::invalid_argument("selective_scan_backward: dy, du and ddelta are required");
    if ((grads.dD && !a.D) || (grads.dz && !a.z) || (grads.ddelta_bias && !a.delta_bias))
        throw std::invalid_argument(
            "selective_scan_backward: dD, dz, ddelta_bias need D, z, delta_bias");
    const SelectiveScanShape& s = a.shape;
    const std::int64_t Bn = s.batch, L = s.length, E = s.channels, N = s.state, G = s.groups;
    const std::int64_t EG = E / G;
    const std::int64_t K = std::min<std::int64_t>(a.checkpoint_every, std::max<std::int64_t>(L, 1));
    const std::int64_t chunks = (L + K - 1) / K;
    const std::int64_t width = lane_width<T>(s);
    // The partial sums over channels are split into blocks of channels, or of lane blocks.
    const std::int64_t units = width > 0 ? (EG + width - 1) / width : EG;
    const std::int64_t blocks = reduce_blocks(units);

    // Partial sums, one slice per work item, reduced below in a fixed order.
    const auto size = [](std::int64_t n) { return static_cast<std::size_t>(n); };
    std::vector<T> part_dB(size(Bn * G * blocks * L * N), T(0));  // (batch, G, blocks, L, N)
    std::vector<T> part_dC(size(Bn * G * blocks * L * N), T(0));  // (batch, G, blocks, L, N)
    std::vector<T> part_dA(size(Bn * E * N), T(0));               // (batch, E, N)
    std::vector<T> part_dD(size(Bn * E), T(0));                   // (batch, E)
    std::vector<T> part_dbias(size(Bn * E), T(0));                // (batch, E)

    parallel_for(Bn * G * blocks, a.threads, [&](std::int64_t item) {
        const std::int64_t b = item / (G * blocks);
        const std::int64_t g = (item / blocks) % G;
        const BlockRange r = block_range(units, blocks, item % blocks);
        T* const pdB = part_dB.data() + item * L * N;  // (L, N), item = (b·G + g)·blocks + k
        T* const pdC = part_dC.data() + item * L * N;
        if constexpr (std::is_same_v<T, float>) {
            if (width > 0)
                return lanes_backward(a, dy, dlast_state, grads, width, b, g, r, pdB, pdC,
                                      part_dA.data(), part_dD.data(), part_dbias.data());
        }

        constexpr std::int64_t S = kChannelsTogether;
        std::vector<T> checkpoints(
            size(std::max<std::int64_t>(chunks, 1) * S * N));                    // (chunks,S,N)
        std::vector<T> states(size(K * S * N)), decays(size(K * S * N));         // (K, S, N)
        std::vector<T> h(size(S * N)), carry(size(S * N)), acc_dA(size(S * N));  // (S, N)
        T acc_dD[S], acc_dbias[S];
        detail::Channel<T> cs[S];

        for (std::int64_t d0 = g * EG + r.begin; d0 < g * EG + r.end; d0 += S) {
            const std::int64_t count = std::min(S, g * EG + r.end - d0);
            const std::int64_t CN = count * N;
            for (std::int64_t k = 0; k < count; ++k)
                cs[k] = detail::channel(a, b, d0 + k);
            // Pass 1: the states at the start of every chunk.
            std::fill(h.begin(), h.end(), T(0));
            for (std::int64_t ci = 0; ci < chunks; ++ci) {
                std::copy(h.begin(), h.begin() + CN, checkpoints.begin() + ci * CN);
                if (ci + 1 < chunks)
                    detail::scan_channels<false>(cs, count, ci * K, (ci + 1) * K, h.data(),
                                                 static_cast<T*>(nullptr), static_cast<T*>(nullptr),
                                                 static_cast<T*>(nullptr));
            }
            // Pass 2: chunks in reverse, states recomputed from the checkpoint.
            if (dlast_state)
                std::copy(dlast_state + (b * E + d0) * N, dlast_state + (b * E + d0) * N + CN,
                          carry.begin());
            else
                std::fill(carry.begin(), carry.end(), T(0));
            std::fill(acc_dA.begin(), acc_dA.end(), T(0));
            std::fill(acc_dD, acc_dD + S, T(0));
            std::fill(acc_dbias, acc_dbias + S, T(0));
            for (std::int64_t ci = chunks - 1; ci >= 0; --ci) {
                const std::int64_t t0 = ci * K, t1 = std::min(L, t0 + K);
                std::copy(checkpoints.begin() + ci * CN, checkpoints.begin() + (ci + 1) * CN,
                          h.begin());
                detail::scan_channels<true>(cs, count, t0, t1, h.data(), static_cast<T*>(nullptr),
                                            states.data(), decays.data());
                for (std::int64_t t = t1 - 1; t >= t0; --t) {
                    const std::int64_t i = t - t0;
                    T* __restrict dBt = pdB + t * N;
                    T* __restrict dCt = pdC + t * N;
                    for (std::int64_t k = 0; k < count; ++k) {
                        const detail::Channel<T>& c = cs[k];
                        const std::int64_t at = b * L * E + t * E + d0 + k;  // [b, t, d0 + k]
                        const T* __restrict ht = states.data() + (i * count + k) * N;
                        const T* __restrict prev = i > 0 ? states.data() + ((i - 1) * count + k) * N
                                                         : checkpoints.data() + ci * CN + k * N;
                        const T* __restrict et = decays.data() + (i * count + k) * N;
                        const T* __restrict Bt = c.B + t * c.GN;
                        const T* __restrict Ct = c.C + t * c.GN;
                        const T* __restrict A = c.A;
                        T* __restrict gcarry = carry.data() + k * N;
                        T* __restrict gA = acc_dA.data() + k * N;
                        const T u = c.u[t * E];
                        const T dt_in = c.dt[t * E] + c.bias;
                        const T delta = c.softplus ? softplus(dt_in) : dt_in;
                        const T dyv = dy[at];

                        T dyraw = dyv;
                        if (c.z) {
                            T yraw = 0;
#pragma omp simd reduction(+ : yraw)
                            for (std::int64_t n = 0; n < N; ++n)
                                yraw += Ct[n] * ht[n];
                            yraw += c.D * u;
                            const T zv = c.z[t * E];
                            if (grads.dz)
                                grads.dz[at] = dyv * yraw * silu_grad(zv);
                            dyraw = dyv * silu(zv);
                        }
                        acc_dD[k] += dyraw * u;

                        const T du_in = delta * u;
                        T ddelta = 0, gB = 0;
#pragma omp simd reduction(+ : ddelta, gB)
                        for (std::int64_t n = 0; n < N; ++n) {
                            const T gn = gcarry[n] + Ct[n] * dyraw;
                            dCt[n] += dyraw * ht[n];
                            const T he = prev[n] * et[n];
                            ddelta += gn * (he * A[n] + Bt[n] * u);
                            gA[n] += gn * he * delta;
                            dBt[n] += gn * du_in;
                            gB += gn * Bt[n];
                            gcarry[n] = gn * et[n];
                        }
                        grads.du[at] = c.D * dyraw + delta * gB;
                        const T ddt = c.softplus ? ddelta * softplus_grad(dt_in) : ddelta;
                        grads.ddelta[at] = ddt;
                        acc_dbias[k] += ddt;
                    }
                }
            }
            std::copy(acc_dA.begin(), acc_dA.begin() + CN, part_dA.begin() + (b * E + d0) * N);
            std::copy(acc_dD, acc_dD + count, part_dD.begin() + b * E + d0);
            std::copy(acc_dbias, acc_dbias + count, part_dbias.begin() + b * E + d0);
        }
    });

    // Reductions, each output element summed in a fixed order.
    if (grads.dB || grads.dC) {
        parallel_for(Bn * G, a.threads, [&](std::int64_t bg) {
            const std::int64_t b = bg / G, g = bg % G;
            for (std::int64_t t = 0; t < L; ++t) {
                T* dBt = grads.dB ? grads.dB + ((b * L + t) * G + g) * N : nullptr;
                T* dCt = grads.dC ? grads.dC + ((b * L + t) * G + g) * N : nullptr;
                for (std::int64_t n = 0; n < N; ++n) {
                    T sb = 0, sc = 0;
                    for (std::int64_t k = 0; k < blocks; ++k) {
                        const std::int64_t at = ((bg * blocks + k) * L + t) * N + n;
                        sb += part_dB[size(at)];
                        sc += part_dC[size(at)];
                    }
                    if (dBt)
                        dBt[n] = sb;
                    if (dCt)
                        dCt[n] = sc;
                }
            }
        });
    }
    for (std::int64_t d = 0; d < E; ++d) {
        for (std::int64_t n = 0; grads.dA && n < N; ++n) {
            T sum = 0;
            for (std::int64_t b = 0; b < Bn; ++b)
                sum += part_dA[size((b * E + d) * N + n)];
            grads.dA[d * N + n] = sum;
        }
        T sd = 0, sbias = 0;
        for (std::int64_t b = 0; b < Bn; ++b) {
            sd += part_dD[size(b * E + d)];
            sbias += part_dbias[size(b * E + d)];
        }
        if (grads.dD)
            grads.dD[d] = sd;
        if (grads.ddelta_bias)
            grads.ddelta_bias[d] = sbias;
    }
}

template void selective_scan_backward<float>(const SelectiveScanArgs<float>&, const float*,
                                             const float*, const SelectiveScanGrads<float>&);
template void selective_scan_backward<double>(const SelectiveScanArgs<double>&, const double*,
                                              const double*, const SelectiveScanGrads<double>&);

}  // namespace ssmscope::kernels
