// How the CUDA kernels of the multi-channel scans (Mamba-2's heads, the modal scan's units) lay
// their work out. Internal to kernels/cuda.
//
// A head (or unit) has P channels of N states that share Δ_t and the decay (or the poles) and,
// per step, sum into the same gradients of Δ_t, B_t and C_t (or g_t and o_t). Each channel gets a
// lane group of W lanes (W = lanes_for(N)) that keeps its states in registers, as Mamba-1's
// kernels do per channel; a block holds CH such groups, all channels of one (batch, head), so
// the backward can sum over them in shared memory, in a fixed order, once per step. A head can
// have more channels than fit in a block (P = 64, N = 128: 64·32 lanes), so its channels are
// split over gridDim.y tiles of CH channels; the grid is (batch·heads, tiles).
#pragma once

#include <algorithm>
#include <stdexcept>

#include "kernels/cuda/scan_common.cuh"

namespace ssmscope::kernels::cuda::detail {

struct ChannelTiles {
    int lanes = 0;        // W: lanes per channel, a power of two ≤ 32
    int channels = 0;     // CH: channels (lane groups) per block
    int threads = 0;      // CH·W: whole warps, so every shuffle has a full warp
    long long tiles = 0;  // ceil(P / CH): blocks per (batch, head)
};

// P channels of N states each. Channels of the last tile past P are inactive: they run every
// step with zeros so that they take part in the shuffles and __syncthreads, and write nothing.
inline ChannelTiles channel_tiles(long long channels, long long state) {
    ChannelTiles t;
    t.lanes = lanes_for(state);
    const long long wanted = std::min<long long>(channels * t.lanes, kThreadsPerBlock);
    t.threads = static_cast<int>((wanted + 31) / 32 * 32);
    t.channels = t.threads / t.lanes;
    t.tiles = (channels + t.channels - 1) / t.channels;
    if (t.tiles > 65535)
        throw std::invalid_argument("cuda scan: too many channels per head for the grid");
    return t;
}

// The block's dynamic shared memory, as T. Its size is given at the launch.
template <class T>
__device__ inline T* shared_buffer() {
    extern __shared__ __align__(sizeof(double)) unsigned char raw[];
    return reinterpret_cast<T*>(raw);
}

// Σ_k rows[k·N + n] over the block's CH rows, for n = threadIdx.x, threadIdx.x + blockDim.x, … < N:
// calls out(n, sum) for each. Call between two __syncthreads.
template <class T, class Out>
__device__ inline void sum_rows(const T* rows, int CH, long long N, Out&& out) {
    for (long long n = threadIdx.x; n < N; n += blockDim.x) {
        T sum = 0;
        for (int k = 0; k < CH; ++k)
            sum += rows[k * N + n];
        out(n, sum);
    }
}

}  // namespace ssmscope::kernels::cuda::detail
