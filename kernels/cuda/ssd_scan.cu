// Forward of Mamba-2's scalar-A heads on the GPU. Grid (batch·H, tiles), one lane group per
// channel p (channel_tiles.cuh); lane j keeps the states S[p, j], S[p, j + W], … in registers,
// so the loads of B_t, C_t are coalesced and y_t[p] = C_t·S_t[p] is a shuffle reduction. The
// channels are independent here; the block layout is the backward's.
#include "kernels/cuda/channel_tiles.cuh"
#include "kernels/cuda/scan_common.cuh"
#include "kernels/cuda/ssd_head.cuh"
#include "kernels/cuda/ssd_scan_cuda.hpp"

namespace ssmscope::kernels::cuda {

namespace {

using detail::kMaxPerLane;

template <class T>
__global__ void ssd_forward_kernel(SsdScanArgs<T> a, int W, int CH, T* y, T* last_state) {
    const long long H = a.shape.heads, P = a.shape.head_dim, N = a.shape.state;
    const long long bh = blockIdx.x;  // b·H + h
    const int grp = static_cast<int>(threadIdx.x) / W, lane = static_cast<int>(threadIdx.x) % W;
    const long long p = static_cast<long long>(blockIdx.y) * CH + grp;
    const detail::SsdChannel c = detail::ssd_channel(a, bh / H, bh % H, p);
    const T D = a.D ? a.D[c.h] : T(0);

    T S[kMaxPerLane];
#pragma unroll
    for (int j = 0; j < kMaxPerLane; ++j)
        S[j] = 0;
    for (long long t = 0; t < a.shape.length; ++t) {
        const T acc = detail::group_sum(detail::ssd_advance<true>(a, c, t, lane, W, S), W);
        if (y && c.active && lane == 0)
            y[c.x + t * c.HP] = acc + D * a.x[c.x + t * c.HP];
    }
    if (c.active && last_state) {
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const long long n = lane + static_cast<long long>(j) * W;
            if (n < N)
                last_state[(bh * P + p) * N + n] = S[j];
        }
    }
}

}  // namespace

template <class T>
void ssd_scan_forward(const SsdScanArgs<T>& a, T* y, T* last_state) {
    detail::check_ssd(a);
    const SsdScanShape& s = a.shape;
    if (s.batch == 0)
        return;
    const detail::ChannelTiles tiles = detail::channel_tiles(s.head_dim, s.state);
    const dim3 grid(static_cast<unsigned>(s.batch * s.heads), static_cast<unsigned>(tiles.tiles));
    ssd_forward_kernel<T><<<grid, static_cast<unsigned>(tiles.threads)>>>(
        a, tiles.lanes, tiles.channels, y, last_state);
    detail::check(cudaGetLastError(), "ssd_scan_forward");
}

template void ssd_scan_forward<float>(const SsdScanArgs<float>&, float*, float*);
template void ssd_scan_forward<double>(const SsdScanArgs<double>&, double*, double*);

}  // namespace ssmscope::kernels::cuda
