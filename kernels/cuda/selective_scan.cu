// Forward of the fused selective scan on the GPU. One lane group of W lanes (W = the smallest
// power of two ≥ N, at most 32) per channel (b, d); lane j keeps the states n = j, j + W, … in
// registers, so the loads of B_t, C_t are coalesced and y_t = C_t·h_t is a shuffle reduction.
#include "kernels/cuda/scan_common.cuh"
#include "kernels/cuda/selective_scan_cuda.hpp"

namespace ssmscope::kernels::cuda {

namespace {

using detail::kMaxPerLane;

template <class T>
__global__ void forward_kernel(SelectiveScanArgs<T> a, int W, T* y, T* last_state) {
    const long long B = a.shape.batch, L = a.shape.length, E = a.shape.channels, N = a.shape.state,
                    G = a.shape.groups;
    const long long group = (static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x) / W;
    const int lane = static_cast<int>(threadIdx.x % W);
    // Lanes past the last channel still run the loop (with zeros) so that every lane of the warp
    // takes part in the shuffles.
    const bool active = group < B * E;
    const long long b = active ? group / E : 0, d = active ? group % E : 0;
    const long long g = d / (E / G);
    const T D = (active && a.D) ? a.D[d] : T(0);
    const T bias = (active && a.delta_bias) ? a.delta_bias[d] : T(0);

    T h[kMaxPerLane], A[kMaxPerLane];
#pragma unroll
    for (int j = 0; j < kMaxPerLane; ++j) {
        const long long n = lane + static_cast<long long>(j) * W;
        h[j] = 0;
        A[j] = (active && n < N) ? a.A[d * N + n] : T(0);
    }
    for (long long t = 0; t < L; ++t) {
        const long long at = (b * L + t) * E + d;
        const T u = active ? a.u[at] : T(0);
        T delta = active ? a.delta[at] + bias : T(0);
        if (a.delta_softplus)
            delta = detail::softplus(delta);
        const T* Bt = a.B + ((b * L + t) * G + g) * N;
        const T* Ct = a.C + ((b * L + t) * G + g) * N;
        T acc = 0;
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const long long n = lane + static_cast<long long>(j) * W;
            if (active && n < N) {
                h[j] = detail::dexp(delta * A[j]) * h[j] + delta * u * Bt[n];
                acc += Ct[n] * h[j];
            }
        }
        acc = detail::group_sum(acc, W);
        if (active && lane == 0) {
            T out = acc + D * u;
            if (a.z) {
                const T zv = a.z[at];
                out *= zv * detail::sigmoid(zv);
            }
            y[at] = out;
        }
    }
    if (active && last_state) {
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const long long n = lane + static_cast<long long>(j) * W;
            if (n < N)
                last_state[group * N + n] = h[j];
        }
    }
}

}  // namespace

bool device_available() {
    int count = 0;
    return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

template <class T>
void selective_scan_forward(const SelectiveScanArgs<T>& a, T* y, T* last_state) {
    const SelectiveScanShape& s = a.shape;
    if (s.state > 32 * kMaxPerLane)
        throw std::invalid_argument("cuda selective scan: N above 256 is not supported");
    if (s.channels % s.groups != 0 || s.groups < 1)
        throw std::invalid_argument("cuda selective scan: groups must divide channels");
    if (s.batch == 0)
        return;
    const int W = detail::lanes_for(s.state);
    const long long threads = s.batch * s.channels * W;
    const unsigned blocks =
        static_cast<unsigned>((threads + detail::kThreadsPerBlock - 1) / detail::kThreadsPerBlock);
    forward_kernel<T><<<blocks, detail::kThreadsPerBlock>>>(a, W, y, last_state);
    detail::check(cudaGetLastError(), "selective_scan_forward");
}

template void selective_scan_forward<float>(const SelectiveScanArgs<float>&, float*, float*);
template void selective_scan_forward<double>(const SelectiveScanArgs<double>&, double*, double*);

}  // namespace ssmscope::kernels::cuda
