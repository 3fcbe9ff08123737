// Forward of the modal scan on the GPU. Grid (batch·U, tiles), one lane group per channel p of a
// unit (channel_tiles.cuh); lane j keeps the complex modes z[p, j], z[p, j + W], … in registers
// and computes their coefficients exp(Δλ), φ(Δ, λ) itself, so y_t[p] = Re(o_t·z_t[p]) is a
// shuffle reduction. The channels are independent here; the block layout is the backward's.
#include "kernels/cuda/channel_tiles.cuh"
#include "kernels/cuda/modal_scan_cuda.hpp"
#include "kernels/cuda/modal_unit.cuh"
#include "kernels/cuda/scan_common.cuh"

namespace ssmscope::kernels::cuda {

namespace {

using detail::kMaxPerLane;

template <class T>
__global__ void modal_forward_kernel(ModalScanArgs<T> a, int W, int CH, T* y, T* last_re,
                                     T* last_im) {
    const long long U = a.shape.units, P = a.shape.channels, N = a.shape.modes;
    const long long bu = blockIdx.x;  // b·U + u
    const int grp = static_cast<int>(threadIdx.x) / W, lane = static_cast<int>(threadIdx.x) % W;
    const long long p = static_cast<long long>(blockIdx.y) * CH + grp;
    const detail::ModalChannel c = detail::modal_channel(a, bu / U, bu % U, p);

    T zr[kMaxPerLane], zi[kMaxPerLane];
#pragma unroll
    for (int j = 0; j < kMaxPerLane; ++j) {
        zr[j] = 0;
        zi[j] = 0;
    }
    for (long long t = 0; t < a.shape.length; ++t) {
        const T acc = detail::group_sum(detail::modal_advance<true>(a, c, t, lane, W, zr, zi), W);
        if (y && c.active && lane == 0)
            y[c.x + t * c.UP] = acc;
    }
    if (c.active && last_re) {
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const long long n = lane + static_cast<long long>(j) * W;
            if (n < N) {
                last_re[(bu * P + p) * N + n] = zr[j];
                last_im[(bu * P + p) * N + n] = zi[j];
            }
        }
    }
}

}  // namespace

template <class T>
void modal_scan_forward(const ModalScanArgs<T>& a, T* y, T* last_re, T* last_im) {
    detail::check_modal(a);
    if (!last_re != !last_im)
        throw std::invalid_argument("cuda modal scan: pass both parts of the state or neither");
    const ModalScanShape& s = a.shape;
    if (s.batch == 0)
        return;
    const detail::ChannelTiles tiles = detail::channel_tiles(s.channels, s.modes);
    const dim3 grid(static_cast<unsigned>(s.batch * s.units), static_cast<unsigned>(tiles.tiles));
    modal_forward_kernel<T><<<grid, static_cast<unsigned>(tiles.threads)>>>(
        a, tiles.lanes, tiles.channels, y, last_re, last_im);
    detail::check(cudaGetLastError(), "modal_scan_forward");
}

template void modal_scan_forward<float>(const ModalScanArgs<float>&, float*, float*, float*);
template void modal_scan_forward<double>(const ModalScanArgs<double>&, double*, double*, double*);

}  // namespace ssmscope::kernels::cuda
