// Device helpers shared by the CUDA scan kernels. Internal to kernels/cuda.
#pragma once

#include <stdexcept>
#include <string>

#include <cuda_runtime.h>

namespace ssmscope::kernels::cuda::detail {

inline void check(cudaError_t status, const char* what) {
    if (status != cudaSuccess)
        throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(status));
}

__device__ inline float dexp(float x) {
    return expf(x);
}
__device__ inline double dexp(double x) {
    return exp(x);
}
__device__ inline float dlog1p(float x) {
    return log1pf(x);
}
__device__ inline double dlog1p(double x) {
    return log1p(x);
}
__device__ inline float dexpm1(float x) {
    return expm1f(x);
}
__device__ inline double dexpm1(double x) {
    return expm1(x);
}
__device__ inline float dsin(float x) {
    return sinf(x);
}
__device__ inline double dsin(double x) {
    return sin(x);
}
__device__ inline float dcos(float x) {
    return cosf(x);
}
__device__ inline double dcos(double x) {
    return cos(x);
}
// The softplus of mamba_ssm (identity above 20) and its derivative.
template <class T>
__device__ inline T softplus(T x) {
    return x > T(20) ? x : dlog1p(dexp(x));
}
template <class T>
__device__ inline T softplus_grad(T x) {
    return x > T(20) ? T(1) : T(1) / (T(1) + dexp(-x));
}
template <class T>
__device__ inline T sigmoid(T x) {
    return T(1) / (T(1) + dexp(-x));
}

// Sum over the `width` lanes of a lane group (width a power of two ≤ 32); every lane of the warp
// must call it, and every lane of the group gets the sum.
template <class T>
__device__ inline T group_sum(T v, int width) {
    for (int offset = width / 2; offset > 0; offset /= 2)
        v += __shfl_xor_sync(0xffffffffu, v, offset, width);
    return v;
}

// Lanes per channel: the smallest power of two ≥ N, at most 32.
inline int lanes_for(long long n) {
    int w = 1;
    while (w < n && w < 32)
        w *= 2;
    return w;
}

// States a lane holds in registers: N ≤ 32·kMaxPerLane.
constexpr int kMaxPerLane = 8;
constexpr int kThreadsPerBlock = 128;

}  // namespace ssmscope::kernels::cuda::detail
