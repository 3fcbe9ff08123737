// Backward of Mamba-2's scalar-A heads on the GPU, the algorithm of the CPU backward (the
// formulas head the CPU backend's cpu/ssd_scan_backward.cpp). Grid (batch·H, tiles), one lane group
// per channel (channel_tiles.cuh): each channel keeps its state every K steps in a global
// workspace, recomputes each chunk's states into another, then walks the gradient recurrence
// backwards with G_t[p, ·] in registers. What the channels of a head share is summed per step over
// the block in shared memory, in a fixed order:
//   dB_t, dC_t (also summed over the tiles and the heads of a group): added atomically;
//   dΔ_t: one partial per tile, summed over the tiles by a second kernel;
//   dA, dD, ddelta_bias: one partial per (batch, head, tile), summed by the same second kernel.
#include <algorithm>

#include "kernels/cuda/channel_tiles.cuh"
#include "kernels/cuda/scan_common.cuh"
#include "kernels/cuda/ssd_head.cuh"
#include "kernels/cuda/ssd_scan_cuda.hpp"

namespace ssmscope::kernels::cuda {

namespace {

using detail::kMaxPerLane;

template <class T>
struct Workspace {
    T* checkpoints;  // (batch·H·P, chunks, N): each channel's state at the start of each chunk
    T* states;       // (batch·H·P, K, N): the states of the chunk being differentiated
    T* part_ddelta;  // (tiles, batch, L, H)
    T* part_head;    // (batch, H, tiles, 3): dA, dD, ddelta_bias
};

// Shared memory: (2·CH·N + CH) values.
template <class T>
__global__ void ssd_backward_kernel(SsdScanArgs<T> a, int W, int CH, long long K, long long chunks,
                                    const T* dy, const T* dlast_state, SsdScanGrads<T> gr,
                                    Workspace<T> ws) {
    const long long Bn = a.shape.batch, L = a.shape.length, H = a.shape.heads, P = a.shape.head_dim,
                    N = a.shape.state;
    const long long bh = blockIdx.x, b = bh / H;  // bh = b·H + h
    const long long tile = blockIdx.y, tiles = gridDim.y;
    const int grp = static_cast<int>(threadIdx.x) / W, lane = static_cast<int>(threadIdx.x) % W;
    const long long p = tile * CH + grp;
    const detail::SsdChannel c = detail::ssd_channel(a, b, bh % H, p);
    const T A = a.A[c.h], D = a.D ? a.D[c.h] : T(0);
    // This channel's rows of the workspace (an inactive channel never touches them).
    const long long channel = bh * P + (c.active ? p : 0);
    T* const ck = ws.checkpoints + channel * chunks * N;
    T* const st = ws.states + channel * K * N;
    // Per step, one row per channel of the block: its terms of dB_t, dC_t and dΔ_t.
    T* const sB = detail::shared_buffer<T>();  // (CH, N)
    T* const sC = sB + CH * N;                 // (CH, N)
    T* const sD = sC + CH * N;                 // (CH)

    T S[kMaxPerLane], carry[kMaxPerLane];
#pragma unroll
    for (int j = 0; j < kMaxPerLane; ++j) {
        const long long n = lane + static_cast<long long>(j) * W;
        S[j] = 0;
        carry[j] = (c.active && dlast_state && n < N) ? dlast_state[channel * N + n] : T(0);
    }
    const auto store = [&](T* to) {
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const long long n = lane + static_cast<long long>(j) * W;
            if (c.active && n < N)
                to[n] = S[j];
        }
    };

    // Pass 1: the state at the start of every chunk.
    for (long long ci = 0; ci < chunks; ++ci) {
        store(ck + ci * N);
        if (ci + 1 < chunks) {
            for (long long t = ci * K; t < (ci + 1) * K; ++t)
                detail::ssd_advance<false>(a, c, t, lane, W, S);
        }
    }

    // Pass 2: chunks in reverse; G_t = carry + dy_t[p] C_t.
    T acc_dA = 0, acc_dD = 0, acc_dbias = 0;  // acc_dbias: thread 0 only
    for (long long ci = chunks - 1; ci >= 0; --ci) {
        const long long t0 = ci * K, t1 = t0 + K < L ? t0 + K : L;
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const long long n = lane + static_cast<long long>(j) * W;
            S[j] = (c.active && n < N) ? ck[ci * N + n] : T(0);
        }
        for (long long t = t0; t < t1; ++t) {
            detail::ssd_advance<false>(a, c, t, lane, W, S);
            store(st + (t - t0) * N);
        }
        for (long long t = t1 - 1; t >= t0; --t) {
            const long long i = t - t0;
            const T* const now = st + i * N;                               // S_t
            const T* const prev = i > 0 ? st + (i - 1) * N : ck + ci * N;  // S_{t−1}
            const T dt_in = detail::ssd_delta_in(a, c, t);
            const T delta = a.delta_softplus ? detail::softplus(dt_in) : dt_in;
            const T decay = detail::dexp(delta * A);
            const long long at = c.x + t * c.HP;
            const T xv = c.active ? a.x[at] : T(0), dyv = c.active ? dy[at] : T(0);
            const T* const Bt = a.B + c.bc + t * c.GN;
            const T* const Ct = a.C + c.bc + t * c.GN;

            T da = 0, gB = 0;  // Σ_n G_t[p,n] S_{t−1}[p,n], Σ_n G_t[p,n] B_t[n]
#pragma unroll
            for (int j = 0; j < kMaxPerLane; ++j) {
                const long long n = lane + static_cast<long long>(j) * W;
                if (n < N) {
                    const T gn = carry[j] + dyv * Ct[n];
                    const T s_now = c.active ? now[n] : T(0), s_prev = c.active ? prev[n] : T(0);
                    sC[grp * N + n] = dyv * s_now;
                    sB[grp * N + n] = gn * (delta * xv);
                    da += gn * s_prev;
                    gB += gn * Bt[n];
                    carry[j] = decay * gn;
                }
            }
            da = detail::group_sum(da, W);
            gB = detail::group_sum(gB, W);
            if (c.active && lane == 0)
                gr.dx[at] = D * dyv + delta * gB;
            acc_dA += da * decay * delta;
            acc_dD += dyv * xv;
            if (lane == 0)
                sD[grp] = xv * gB + da * decay * A;  // this channel's part of dΔ_t
            __syncthreads();

            const long long bc = c.bc + t * c.GN;
            if (gr.dB)
                detail::sum_rows(sB, CH, N,
                                 [&](long long n, T v) { atomicAdd(gr.dB + bc + n, v); });
            if (gr.dC)
                detail::sum_rows(sC, CH, N,
                                 [&](long long n, T v) { atomicAdd(gr.dC + bc + n, v); });
            if (threadIdx.x == 0) {
                T dd = 0;
                for (int k = 0; k < CH; ++k)
                    dd += sD[k];
                const T ddt = a.delta_softplus ? dd * detail::softplus_grad(dt_in) : dd;
                ws.part_ddelta[((tile * Bn + b) * L + t) * H + c.h] = ddt;
                acc_dbias += ddt;
            }
            __syncthreads();  // the rows are rewritten at the next step
        }
    }

    // dA and dD: sum over the block's channels.
    if (lane == 0) {
        sB[grp] = acc_dA;
        sC[grp] = acc_dD;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        T dA = 0, dD = 0;
        for (int k = 0; k < CH; ++k) {
            dA += sB[k];
            dD += sC[k];
        }
        T* const out = ws.part_head + (bh * tiles + tile) * 3;
        out[0] = dA;
        out[1] = dD;
        out[2] = acc_dbias;
    }
}

// ddelta[b, t, h] = Σ_tile part_ddelta[tile, b, t, h]; dA[h] = Σ_b Σ_tile part_head[b, h, tile,
// 0], and likewise dD, ddelta_bias: one thread per output, fixed order.
template <class T>
__global__ void ssd_reduce_kernel(long long batch, long long L, long long H, long long tiles,
                                  Workspace<T> ws, SsdScanGrads<T> gr) {
    const long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
    const long long seq = batch * L * H;
    if (i < seq) {
        T sum = 0;
        for (long long k = 0; k < tiles; ++k)
            sum += ws.part_ddelta[k * seq + i];
        gr.ddelta[i] = sum;
    }
    if (i < H) {
        T sums[3] = {0, 0, 0};
        for (long long b = 0; b < batch; ++b) {
            for (long long k = 0; k < tiles; ++k) {
                for (int j = 0; j < 3; ++j)
                    sums[j] += ws.part_head[((b * H + i) * tiles + k) * 3 + j];
            }
        }
        if (gr.dA)
            gr.dA[i] = sums[0];
        if (gr.dD)
            gr.dD[i] = sums[1];
        if (gr.ddelta_bias)
            gr.ddelta_bias[i] = sums[2];
    }
}

}  // namespace

template <class T>
void ssd_scan_backward(const SsdScanArgs<T>& a, const T* dy, const T* dlast_state,
                       const SsdScanGrads<T>& grads) {
    detail::check_ssd(a);
    if (!dy || !grads.dx || !grads.ddelta)
        throw std::invalid_argument("cuda ssd_scan_backward: dy, dx and ddelta are required");
    if ((grads.dD && !a.D) || (grads.ddelta_bias && !a.delta_bias))
        throw std::invalid_argument("cuda ssd_scan_backward: dD, ddelta_bias need D, delta_bias");
    const SsdScanShape& s = a.shape;
    const long long Bn = s.batch, L = s.length, H = s.heads, P = s.head_dim, N = s.state;
    const long long K = std::min<long long>(a.checkpoint_every, std::max<long long>(L, 1));
    const long long chunks = (L + K - 1) / K;
    const detail::ChannelTiles tiles = detail::channel_tiles(P, N);

    const std::size_t bc_bytes = static_cast<std::size_t>(Bn * L * s.groups * N) * sizeof(T);
    if (grads.dB)
        detail::check(cudaMemset(grads.dB, 0, bc_bytes), "cudaMemset dB");
    if (grads.dC)
        detail::check(cudaMemset(grads.dC, 0, bc_bytes), "cudaMemset dC");

    const long long channels = Bn * H * P;
    const long long values = channels * N * (std::max<long long>(chunks, 1) + K) +
                             tiles.tiles * Bn * L * H + Bn * H * tiles.tiles * 3;
    T* buffer = nullptr;
    detail::check(
        cudaMalloc(&buffer, static_cast<std::size_t>(std::max<long long>(values, 1)) * sizeof(T)),
        "cudaMalloc workspace");
    Workspace<T> ws;
    ws.checkpoints = buffer;
    ws.states = ws.checkpoints + channels * std::max<long long>(chunks, 1) * N;
    ws.part_ddelta = ws.states + channels * K * N;
    ws.part_head = ws.part_ddelta + tiles.tiles * Bn * L * H;
    try {
        if (Bn > 0) {
            const dim3 grid(static_cast<unsigned>(Bn * H), static_cast<unsigned>(tiles.tiles));
            const std::size_t shared =
                static_cast<std::size_t>(2 * tiles.channels * N + tiles.channels) * sizeof(T);
            ssd_backward_kernel<T><<<grid, static_cast<unsigned>(tiles.threads), shared>>>(
                a, tiles.lanes, tiles.channels, K, chunks, dy, dlast_state, grads, ws);
            detail::check(cudaGetLastError(), "ssd_scan_backward");
        }
        const long long outputs = std::max(Bn * L * H, H);
        const unsigned blocks = static_cast<unsigned>((outputs + 255) / 256);
        ssd_reduce_kernel<T><<<blocks, 256>>>(Bn, L, H, tiles.tiles, ws, grads);
        detail::check(cudaGetLastError(), "ssd_scan_backward reduce");
        detail::check(cudaDeviceSynchronize(), "ssd_scan_backward");
    } catch (...) {
        cudaFree(buffer);
        throw;
    }
    detail::check(cudaFree(buffer), "cudaFree workspace");
}

template void ssd_scan_backward<float>(const SsdScanArgs<float>&, const float*, const float*,
                                       const SsdScanGrads<float>&);
template void ssd_scan_backward<double>(const SsdScanArgs<double>&, const double*, const double*,
                                        const SsdScanGrads<double>&);

}  // namespace ssmscope::kernels::cuda
