// Backward of the modal scan on the GPU, the algorithm of the CPU backward (the
// formulas head the CPU backend's cpu/modal_scan_backward.cpp). Grid (batch·U, tiles), one lane
// group per channel (channel_tiles.cuh): each channel keeps its state every K steps in a global
// workspace, recomputes each chunk's states into another, then walks the gradient recurrence
// backwards with G_t[p, ·] in registers.
//
// The CPU backward sums G_e, G_q and G_o over the channels of a unit before it goes through the
// mode coefficients; here each channel goes through them with its own terms, and the results
// (linear in those terms) are summed over the channels afterwards:
//   selective dg_t, do_t: per step over the block in shared memory, then atomically over tiles;
//   dΔ_t: per step over the block, one partial per tile, summed over tiles by a second kernel;
//   dλ and a fixed g or o: in registers over the steps, then over the block, one partial per
//   (batch, unit, tile), summed by the same second kernel.
#include <algorithm>

#include "kernels/cuda/channel_tiles.cuh"
#include "kernels/cuda/modal_scan_cuda.hpp"
#include "kernels/cuda/modal_unit.cuh"
#include "kernels/cuda/scan_common.cuh"

namespace ssmscope::kernels::cuda {

namespace {

using detail::kMaxPerLane;

template <class T>
struct Workspace {
    T* checkpoints;  // (batch·U·P, chunks, 2, N): each channel's state at the start of each chunk
    T* states;       // (batch·U·P, K, 2, N): the states of the chunk being differentiated
    T* part_ddelta;  // (tiles, batch, L, U)
    T* part_unit;    // (batch, U, tiles, 6, N): λ re, im, fixed g re, im, fixed o re, im
};

// Shared memory: (4·CH·N + CH) values.
template <class T>
__global__ void modal_backward_kernel(ModalScanArgs<T> a, int W, int CH, long long K,
                                      long long chunks, const T* dy, const T* dlast_re,
                                      const T* dlast_im, ModalScanGrads<T> gr, Workspace<T> ws) {
    const long long Bn = a.shape.batch, L = a.shape.length, U = a.shape.units, P = a.shape.channels,
                    N = a.shape.modes;
    const long long bu = blockIdx.x, b = bu / U, u = bu % U;  // bu = b·U + u
    const long long tile = blockIdx.y, tiles = gridDim.y;
    const int grp = static_cast<int>(threadIdx.x) / W, lane = static_cast<int>(threadIdx.x) % W;
    const long long p = tile * CH + grp;
    const detail::ModalChannel c = detail::modal_channel(a, b, u, p);
    // This channel's rows of the workspace (an inactive channel never touches them).
    const long long channel = bu * P + (c.active ? p : 0);
    T* const ck = ws.checkpoints + channel * chunks * 2 * N;
    T* const st = ws.states + channel * K * 2 * N;
    // Per step, one row per channel of the block: its terms of a selective dg_t, do_t and of dΔ_t.
    T* const sGr = detail::shared_buffer<T>();  // (CH, N)
    T* const sGi = sGr + CH * N;                // (CH, N)
    T* const sOr = sGi + CH * N;                // (CH, N)
    T* const sOi = sOr + CH * N;                // (CH, N)
    T* const sD = sOi + CH * N;                 // (CH)

    T zr[kMaxPerLane], zi[kMaxPerLane];  // the state, recomputed
    T cr[kMaxPerLane], cj[kMaxPerLane];  // carry: conj(e_{t+1})·G_{t+1}
    // Sums over the steps of this channel's terms of dλ, of a fixed dg and of a fixed do.
    T alr[kMaxPerLane], ali[kMaxPerLane], agr[kMaxPerLane], agi[kMaxPerLane], aor[kMaxPerLane],
        aoi[kMaxPerLane];
#pragma unroll
    for (int j = 0; j < kMaxPerLane; ++j) {
        const long long n = lane + static_cast<long long>(j) * W;
        const bool own = c.active && n < N;
        zr[j] = zi[j] = 0;
        cr[j] = (own && dlast_re) ? dlast_re[channel * N + n] : T(0);
        cj[j] = (own && dlast_im) ? dlast_im[channel * N + n] : T(0);
        alr[j] = ali[j] = agr[j] = agi[j] = aor[j] = aoi[j] = 0;
    }
    const auto store = [&](T* to) {
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const long long n = lane + static_cast<long long>(j) * W;
            if (c.active && n < N) {
                to[n] = zr[j];
                to[N + n] = zi[j];
            }
        }
    };

    // Pass 1: the state at the start of every chunk.
    for (long long ci = 0; ci < chunks; ++ci) {
        store(ck + ci * 2 * N);
        if (ci + 1 < chunks) {
            for (long long t = ci * K; t < (ci + 1) * K; ++t)
                detail::modal_advance<false>(a, c, t, lane, W, zr, zi);
        }
    }

    // Pass 2: chunks in reverse; G_t = carry + conj(o_t)·dy_t[p].
    for (long long ci = chunks - 1; ci >= 0; --ci) {
        const long long t0 = ci * K, t1 = t0 + K < L ? t0 + K : L;
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const long long n = lane + static_cast<long long>(j) * W;
            const bool own = c.active && n < N;
            zr[j] = own ? ck[ci * 2 * N + n] : T(0);
            zi[j] = own ? ck[ci * 2 * N + N + n] : T(0);
        }
        for (long long t = t0; t < t1; ++t) {
            detail::modal_advance<false>(a, c, t, lane, W, zr, zi);
            store(st + (t - t0) * 2 * N);
        }
        for (long long t = t1 - 1; t >= t0; --t) {
            const long long i = t - t0;
            const T* const now = st + i * 2 * N;                                   // z_t
            const T* const prev = i > 0 ? st + (i - 1) * 2 * N : ck + ci * 2 * N;  // z_{t−1}
            const T delta = a.delta[c.delta + t * c.U];
            const long long at = c.x + t * c.UP;
            const T xv = c.active ? a.x[at] : T(0), dyv = c.active ? dy[at] : T(0);
            const long long g = c.g + t * c.g_step, o = c.o + t * c.o_step;

            T dx = 0, dd = 0;
#pragma unroll
            for (int j = 0; j < kMaxPerLane; ++j) {
                const long long n = lane + static_cast<long long>(j) * W;
                if (n >= N)
                    continue;
                const T lr = a.lambda_re[c.lambda + n], li = a.lambda_im[c.lambda + n];
                T er, ei, pr, pi;
                detail::mode_coefficients(delta, lr, li, er, ei, pr, pi);
                const T g_r = a.g_re[g + n], g_i = a.g_im[g + n];
                const T qr = pr * g_r - pi * g_i, qi = pr * g_i + pi * g_r;  // φ·g
                const T ztr = c.active ? now[n] : T(0), zti = c.active ? now[N + n] : T(0);
                const T pvr = c.active ? prev[n] : T(0), pvi = c.active ? prev[N + n] : T(0);

                // This channel's G_t and its terms of G_o, G_e = conj(z_{t−1})·G_t, G_q = x_t·G_t.
                const T Gr = cr[j] + a.o_re[o + n] * dyv, Gi = cj[j] - a.o_im[o + n] * dyv;
                const T Gor = ztr * dyv, Goi = -zti * dyv;
                const T Ger = pvr * Gr + pvi * Gi, Gei = pvr * Gi - pvi * Gr;
                const T Gqr = xv * Gr, Gqi = xv * Gi;
                dx += qr * Gr + qi * Gi;
                cr[j] = er * Gr + ei * Gi;
                cj[j] = er * Gi - ei * Gr;

                // G_φ = conj(g)·G_q, G_g = conj(φ)·G_q.
                const T Gpr = g_r * Gqr + g_i * Gqi, Gpi = g_r * Gqi - g_i * Gqr;
                const T Ggr = pr * Gqr + pi * Gqi, Ggi = pr * Gqi - pi * Gqr;
                // dΔ through e (∂e/∂Δ = λe) and φ (∂φ/∂Δ = e).
                const T ler = lr * er - li * ei, lei = lr * ei + li * er;
                dd += ler * Ger + lei * Gei + er * Gpr + ei * Gpi;
                // G_λ through e (∂e/∂λ = Δe) and φ (∂φ/∂λ = (Δe − φ)/λ, Δ²/2 at λ = 0).
                T wr, wi;
                if (lr == T(0) && li == T(0)) {
                    wr = delta * delta / 2;
                    wi = 0;
                } else {
                    detail::complex_divide(delta * er - pr, delta * ei - pi, lr, li, wr, wi);
                }
                alr[j] += delta * (er * Ger + ei * Gei) + wr * Gpr + wi * Gpi;
                ali[j] += delta * (er * Gei - ei * Ger) + wr * Gpi - wi * Gpr;
                if (a.g_selective) {
                    sGr[grp * N + n] = Ggr;
                    sGi[grp * N + n] = Ggi;
                } else {
                    agr[j] += Ggr;
                    agi[j] += Ggi;
                }
                if (a.o_selective) {
                    sOr[grp * N + n] = Gor;
                    sOi[grp * N + n] = Goi;
                } else {
                    aor[j] += Gor;
                    aoi[j] += Goi;
                }
            }
            dx = detail::group_sum(dx, W);
            dd = detail::group_sum(dd, W);
            if (c.active && lane == 0)
                gr.dx[at] = dx;
            if (lane == 0)
                sD[grp] = dd;
            __syncthreads();

            if (a.g_selective) {
                if (gr.dg_re)
                    detail::sum_rows(sGr, CH, N,
                                     [&](long long n, T v) { atomicAdd(gr.dg_re + g + n, v); });
                if (gr.dg_im)
                    detail::sum_rows(sGi, CH, N,
                                     [&](long long n, T v) { atomicAdd(gr.dg_im + g + n, v); });
            }
            if (a.o_selective) {
                if (gr.do_re)
                    detail::sum_rows(sOr, CH, N,
                                     [&](long long n, T v) { atomicAdd(gr.do_re + o + n, v); });
                if (gr.do_im)
                    detail::sum_rows(sOi, CH, N,
                                     [&](long long n, T v) { atomicAdd(gr.do_im + o + n, v); });
            }
            if (threadIdx.x == 0) {
                T sum = 0;
                for (int k = 0; k < CH; ++k)
                    sum += sD[k];
                ws.part_ddelta[((tile * Bn + b) * L + t) * U + u] = sum;
            }
            __syncthreads();  // the rows are rewritten at the next step
        }
    }

    // dλ, fixed dg, fixed do: sum over the block's channels, one array at a time through sGr.
    T* const part = ws.part_unit + (bu * tiles + tile) * 6 * N;
    const auto flush = [&](int k, const T(&v)[kMaxPerLane]) {
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const long long n = lane + static_cast<long long>(j) * W;
            if (n < N)
                sGr[grp * N + n] = v[j];
        }
        __syncthreads();
        detail::sum_rows(sGr, CH, N, [&](long long n, T sum) { part[k * N + n] = sum; });
        __syncthreads();
    };
    flush(0, alr);
    flush(1, ali);
    flush(2, agr);
    flush(3, agi);
    flush(4, aor);
    flush(5, aoi);
}

// ddelta[b, t, u] = Σ_tile part_ddelta[tile, b, t, u]; dλ[u, n] = Σ_b Σ_tile part_unit[b, u,
// tile, ·, n], and likewise a fixed dg, do: one thread per output, fixed order.
template <class T>
__global__ void modal_reduce_kernel(long long batch, long long L, long long U, long long N,
                                    long long tiles, bool g_selective, bool o_selective,
                                    Workspace<T> ws, ModalScanGrads<T> gr) {
    const long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
    const long long seq = batch * L * U;
    if (i < seq) {
        T sum = 0;
        for (long long k = 0; k < tiles; ++k)
            sum += ws.part_ddelta[k * seq + i];
        gr.ddelta[i] = sum;
    }
    if (i < U * N) {
        const long long u = i / N, n = i % N;
        T* const outs[6] = {gr.dlambda_re,
                            gr.dlambda_im,
                            g_selective ? nullptr : gr.dg_re,
                            g_selective ? nullptr : gr.dg_im,
                            o_selective ? nullptr : gr.do_re,
                            o_selective ? nullptr : gr.do_im};
        for (int j = 0; j < 6; ++j) {
            if (!outs[j])
                continue;
            T sum = 0;
            for (long long b = 0; b < batch; ++b) {
                for (long long k = 0; k < tiles; ++k)
                    sum += ws.part_unit[(((b * U + u) * tiles + k) * 6 + j) * N + n];
            }
            outs[j][i] = sum;
        }
    }
}

}  // namespace

template <class T>
void modal_scan_backward(const ModalScanArgs<T>& a, const T* dy, const T* dlast_re,
                         const T* dlast_im, const ModalScanGrads<T>& grads) {
    detail::check_modal(a);
    if (!dy || !grads.dx || !grads.ddelta)
        throw std::invalid_argument("cuda modal_scan_backward: dy, dx and ddelta are required");
    if (!dlast_re != !dlast_im)
        throw std::invalid_argument(
            "cuda modal_scan_backward: pass both parts of dlast or neither");
    const ModalScanShape& s = a.shape;
    const long long Bn = s.batch, L = s.length, U = s.units, P = s.channels, N = s.modes;
    const long long K = std::min<long long>(a.checkpoint_every, std::max<long long>(L, 1));
    const long long chunks = (L + K - 1) / K;
    const detail::ChannelTiles tiles = detail::channel_tiles(P, N);

    // A selective dg or do is accumulated atomically over the tiles.
    const std::size_t sel_bytes = static_cast<std::size_t>(Bn * L * U * N) * sizeof(T);
    for (T* d : {a.g_selective ? grads.dg_re : nullptr, a.g_selective ? grads.dg_im : nullptr,
                 a.o_selective ? grads.do_re : nullptr, a.o_selective ? grads.do_im : nullptr}) {
        if (d)
            detail::check(cudaMemset(d, 0, sel_bytes), "cudaMemset dg, do");
    }

    const long long channels = Bn * U * P;
    const long long values = channels * 2 * N * (std::max<long long>(chunks, 1) + K) +
                             tiles.tiles * Bn * L * U + Bn * U * tiles.tiles * 6 * N;
    T* buffer = nullptr;
    detail::check(
        cudaMalloc(&buffer, static_cast<std::size_t>(std::max<long long>(values, 1)) * sizeof(T)),
        "cudaMalloc workspace");
    Workspace<T> ws;
    ws.checkpoints = buffer;
    ws.states = ws.checkpoints + channels * std::max<long long>(chunks, 1) * 2 * N;
    ws.part_ddelta = ws.states + channels * K * 2 * N;
    ws.part_unit = ws.part_ddelta + tiles.tiles * Bn * L * U;
    try {
        if (Bn > 0) {
            const dim3 grid(static_cast<unsigned>(Bn * U), static_cast<unsigned>(tiles.tiles));
            const std::size_t shared =
                static_cast<std::size_t>(4 * tiles.channels * N + tiles.channels) * sizeof(T);
            modal_backward_kernel<T><<<grid, static_cast<unsigned>(tiles.threads), shared>>>(
                a, tiles.lanes, tiles.channels, K, chunks, dy, dlast_re, dlast_im, grads, ws);
            detail::check(cudaGetLastError(), "modal_scan_backward");
        }
        const long long outputs = std::max(Bn * L * U, U * N);
        const unsigned blocks = static_cast<unsigned>((outputs + 255) / 256);
        modal_reduce_kernel<T>
            <<<blocks, 256>>>(Bn, L, U, N, tiles.tiles, a.g_selective, a.o_selective, ws, grads);
        detail::check(cudaGetLastError(), "modal_scan_backward reduce");
        detail::check(cudaDeviceSynchronize(), "modal_scan_backward");
    } catch (...) {
        cudaFree(buffer);
        throw;
    }
    detail::check(cudaFree(buffer), "cudaFree workspace");
}

template void modal_scan_backward<float>(const ModalScanArgs<float>&, const float*, const float*,
                                         const float*, const ModalScanGrads<float>&);
template void modal_scan_backward<double>(const ModalScanArgs<double>&, const double*,
                                          const double*, const double*,
                                          const ModalScanGrads<double>&);

}  // namespace ssmscope::kernels::cuda
