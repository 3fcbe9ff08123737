// The recurrence of one Mamba-1 channel, shared by the forward, the step and the backward's
// recomputation so that all three compute bit-for-bit the same states. Internal to kernels/.
// (The float forward and step on AVX2 or AVX-512 CPUs run selective_scan_lanes.hpp instead; the
// backward recomputes its states here, equal to those within float rounding.)
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "kernels/cpu/vec_math.hpp"
#include "kernels/selective_scan.hpp"

namespace ssmscope::kernels::detail {

template <class T>
void check_selective_scan(const SelectiveScanArgs<T>& a) {
    const SelectiveScanShape& s = a.shape;
    if (s.batch < 0 || s.length < 0 || s.channels < 1 || s.state < 1 || s.groups < 1)
        throw std::invalid_argument("selective scan: sizes must be positive");
    if (s.channels % s.groups != 0)
        throw std::invalid_argument("selective scan: groups (" + std::to_string(s.groups) +
                                    ") must divide channels (" + std::to_string(s.channels) + ")");
    if (!a.u || !a.delta || !a.A || !a.B || !a.C)
        throw std::invalid_argument("selective scan: u, delta, A, B, C are required");
    if (a.checkpoint_every < 1)
        throw std::invalid_argument("selective scan: checkpoint_every must be positive");
}

template <class T>
inline T scan_delta(T dt, T bias, bool use_softplus) {
    const T v = dt + bias;
    return use_softplus ? softplus(v) : v;
}

// Everything channel (b, d) reads, as base pointers and strides.
template <class T>
struct Channel {
    const T* u;   // u[b, 0, d], step stride E
    const T* dt;  // delta[b, 0, d], step stride E
    const T* z;   // z[b, 0, d] or null
    const T* B;   // B[b, 0, g, 0], step stride G·N
    const T* C;   // C[b, 0, g, 0], step stride G·N
    const T* A;   // A[d, 0]
    T D, bias;    // 0 when absent
    bool softplus;
    std::int64_t E;   // step stride of u, dt, z, y
    std::int64_t GN;  // step stride of B, C
    std::int64_t N;
};

template <class T>
Channel<T> channel(const SelectiveScanArgs<T>& a, std::int64_t b, std::int64_t d) {
    const SelectiveScanShape& s = a.shape;
    const std::int64_t g = d / (s.channels / s.groups);
    const std::int64_t seq = b * s.length * s.channels + d;
    const std::int64_t bc = (b * s.length * s.groups + g) * s.state;
    return {a.u + seq,
            a.delta + seq,
            a.z ? a.z + seq : nullptr,
            a.B + bc,
            a.C + bc,
            a.A + d * s.state,
            a.D ? a.D[d] : T(0),
            a.delta_bias ? a.delta_bias[d] : T(0),
            a.delta_softplus,
            s.channels,
            s.groups * s.state,
            s.state};
}

// Steps t in [t0, t1) for the channels cs[0..count) (neighbours d0, d0 + 1, …) from their states
// h[(k·N + n)] (updated in place). Time is the outer loop so that each step reads the inputs of
// all the channels as one contiguous run (one cache line for 16 floats) instead of walking one
// column of a (L, E) array per channel, a new cache line and often a new page at every step.
// Writes y[t·E + k] (the gated output of channel d0 + k; y points at channel d0) when y is
// non-null and, when kKeep, the state after each step to states[((t − t0)·count + k)·N + n] and
// the decay exp(Δ_t A[n]) to decays[same].
template <bool kKeep, class T>
void scan_channels(const Channel<T>* cs, std::int64_t count, std::int64_t t0, std::int64_t t1,
                   T* __restrict h, T* __restrict y, T* __restrict states, T* __restrict decays) {
    if (count == 0)
        return;
    const std::int64_t N = cs[0].N, E = cs[0].E, GN = cs[0].GN;
    for (std::int64_t t = t0; t < t1; ++t) {
        for (std::int64_t k = 0; k < count; ++k) {
            const Channel<T>& c = cs[k];
            const T* __restrict A = c.A;
            T* __restrict hk = h + k * N;
            const T u = c.u[t * E];
            const T delta = scan_delta(c.dt[t * E], c.bias, c.softplus);
            const T du = delta * u;
            const T* __restrict Bt = c.B + t * GN;
            const T* __restrict Ct = c.C + t * GN;
            T acc = 0;
            if constexpr (kKeep) {
                T* __restrict st = states + ((t - t0) * count + k) * N;
                T* __restrict dc = decays + ((t - t0) * count + k) * N;
#pragma omp simd reduction(+ : acc)
                for (std::int64_t n = 0; n < N; ++n) {
                    const T e = vexp(delta * A[n]);
                    const T hn = e * hk[n] + du * Bt[n];
                    hk[n] = hn;
                    st[n] = hn;
                    dc[n] = e;
                    acc += Ct[n] * hn;
                }
            } else {
#pragma omp simd reduction(+ : acc)
                for (std::int64_t n = 0; n < N; ++n) {
                    const T hn = vexp(delta * A[n]) * hk[n] + du * Bt[n];
                    hk[n] = hn;
                    acc += Ct[n] * hn;
                }
            }
            if (y) {
                T out = acc + c.D * u;
                if (c.z)
                    out *= silu(c.z[t * E]);
                y[t * E + k] = out;
            }
        }
    }
}

}  // namespace ssmscope::kernels::detail
