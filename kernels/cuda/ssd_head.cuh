// One channel of a Mamba-2 head on the GPU: the argument checks and the step of the recurrence,
// shared by the forward and the backward's recomputation so that both compute the same states.
// Internal to kernels/cuda; the formulas are those of kernels/ssd_scan.hpp.
#pragma once

#include <stdexcept>

#include "kernels/cuda/channel_tiles.cuh"
#include "kernels/cuda/scan_common.cuh"
#include "kernels/ssd_scan.hpp"

namespace ssmscope::kernels::cuda::detail {

template <class T>
void check_ssd(const SsdScanArgs<T>& a) {
    const SsdScanShape& s = a.shape;
    if (s.batch < 0 || s.length < 0 || s.heads < 1 || s.head_dim < 1 || s.state < 1 || s.groups < 1)
        throw std::invalid_argument("cuda ssd scan: sizes must be positive");
    if (s.heads % s.groups != 0)
        throw std::invalid_argument("cuda ssd scan: groups must divide heads");
    if (s.state > 32 * kMaxPerLane)
        throw std::invalid_argument("cuda ssd scan: N above 256 is not supported");
    if (!a.x || !a.delta || !a.A || !a.B || !a.C)
        throw std::invalid_argument("cuda ssd scan: x, delta, A, B, C are required");
    if (a.checkpoint_every < 1)
        throw std::invalid_argument("cuda ssd scan: checkpoint_every must be positive");
}

// Where channel p of head (b, h) reads: element offsets at t = 0 and their step strides. An
// inactive channel (p ≥ P, in the last tile) gets the offsets of channel 0, so every read stays
// in bounds, and reads x and dy as 0.
struct SsdChannel {
    long long x;   // x[b, 0, h, p] (also y, dy, dx), step HP
    long long dt;  // delta[b, 0, h], step H
    long long bc;  // B[b, 0, g, 0] and C[b, 0, g, 0], step GN
    long long HP, H, GN, N;
    long long h;
    bool active;
};

template <class T>
__device__ inline SsdChannel ssd_channel(const SsdScanArgs<T>& a, long long b, long long h,
                                         long long p) {
    const SsdScanShape& s = a.shape;
    const long long H = s.heads, P = s.head_dim, N = s.state, G = s.groups, L = s.length;
    const long long g = h / (H / G);
    const bool active = p < P;
    SsdChannel c;
    c.x = (b * L * H + h) * P + (active ? p : 0);
    c.dt = b * L * H + h;
    c.bc = (b * L * G + g) * N;
    c.HP = H * P;
    c.H = H;
    c.GN = G * N;
    c.N = N;
    c.h = h;
    c.active = active;
    return c;
}

// dt_t + delta_bias[h], before the softplus.
template <class T>
__device__ inline T ssd_delta_in(const SsdScanArgs<T>& a, const SsdChannel& c, long long t) {
    return a.delta[c.dt + t * c.H] + (a.delta_bias ? a.delta_bias[c.h] : T(0));
}

template <class T>
__device__ inline T ssd_delta(const SsdScanArgs<T>& a, const SsdChannel& c, long long t) {
    const T v = ssd_delta_in(a, c, t);
    return a.delta_softplus ? softplus(v) : v;
}

// Step t on the lane's states S[j] = S[p, lane + j·W]:
//   S_t[p,n] = exp(Δ_t A) S_{t−1}[p,n] + Δ_t x_t[p] B_t[n].
// With kReadOut, returns the lane's part of Σ_n S_t[p,n] C_t[n] (0 otherwise).
template <bool kReadOut, class T>
__device__ inline T ssd_advance(const SsdScanArgs<T>& a, const SsdChannel& c, long long t, int lane,
                                int W, T (&S)[kMaxPerLane]) {
    const T delta = ssd_delta(a, c, t);
    const T decay = dexp(delta * a.A[c.h]);
    const T dx = c.active ? delta * a.x[c.x + t * c.HP] : T(0);
    const T* Bt = a.B + c.bc + t * c.GN;
    const T* Ct = a.C + c.bc + t * c.GN;
    T acc = 0;
#pragma unroll
    for (int j = 0; j < kMaxPerLane; ++j) {
        const long long n = lane + static_cast<long long>(j) * W;
        if (n < c.N) {
            S[j] = decay * S[j] + dx * Bt[n];
            if constexpr (kReadOut)
                acc += S[j] * Ct[n];
        }
    }
    return acc;
}

}  // namespace ssmscope::kernels::cuda::detail
