// The recurrence of one Mamba-2 head, shared by the forward, the step and the backward's
// recomputation so that all three compute the same states bit for bit. Internal to kernels/.
#pragma once

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "kernels/cpu/vec_math.hpp"
#include "kernels/ssd_scan.hpp"

namespace ssmscope::kernels::detail {

template <class T>
void check_ssd_scan(const SsdScanArgs<T>& a) {
    const SsdScanShape& s = a.shape;
    if (s.batch < 0 || s.length < 0 || s.heads < 1 || s.head_dim < 1 || s.state < 1 || s.groups < 1)
        throw std::invalid_argument("ssd scan: sizes must be positive");
    if (s.heads % s.groups != 0)
        throw std::invalid_argument("ssd scan: groups (" + std::to_string(s.groups) +
                                    ") must divide heads (" + std::to_string(s.heads) + ")");
    if (!a.x || !a.delta || !a.A || !a.B || !a.C)
        throw std::invalid_argument("ssd scan: x, delta, A, B, C are required");
    if (a.checkpoint_every < 1)
        throw std::invalid_argument("ssd scan: checkpoint_every must be positive");
}

// Everything head (b, h) reads, as base pointers and step strides.
template <class T>
struct Head {
    const T* x;   // x[b, 0, h, 0], step stride H·P
    const T* dt;  // delta[b, 0, h], step stride H
    const T* B;   // B[b, 0, g, 0], step stride G·N
    const T* C;   // C[b, 0, g, 0], step stride G·N
    T A, D, bias;
    bool softplus;
    std::int64_t HP, H, GN, P, N;

    T delta(std::int64_t t) const {
        const T v = dt[t * H] + bias;
        return softplus ? kernels::softplus(v) : v;
    }
};

template <class T>
Head<T> head(const SsdScanArgs<T>& a, std::int64_t b, std::int64_t h) {
    const SsdScanShape& s = a.shape;
    const std::int64_t g = h / (s.heads / s.groups);
    const std::int64_t bc = (b * s.length * s.groups + g) * s.state;
    return {a.x + (b * s.length * s.heads + h) * s.head_dim,
            a.delta + b * s.length * s.heads + h,
            a.B + bc,
            a.C + bc,
            a.A[h],
            a.D ? a.D[h] : T(0),
            a.delta_bias ? a.delta_bias[h] : T(0),
            a.delta_softplus,
            s.heads * s.head_dim,
            s.heads,
            s.groups * s.state,
            s.head_dim,
            s.state};
}

// Steps t in [t0, t1) from the state S (P, N), updated in place. Writes y[t·H·P + p] when y is
// non-null and, when kKeep, every state to states[((t − t0)·P + p)·N + n].
template <bool kKeep, class T>
void scan_head(const Head<T>& hd, std::int64_t t0, std::int64_t t1, T* __restrict S,
               T* __restrict y, T* __restrict states) {
    const std::int64_t P = hd.P, N = hd.N;
    for (std::int64_t t = t0; t < t1; ++t) {
        const T delta = hd.delta(t);
        const T decay = std::exp(delta * hd.A);
        const T* __restrict xt = hd.x + t * hd.HP;
        const T* __restrict Bt = hd.B + t * hd.GN;
        const T* __restrict Ct = hd.C + t * hd.GN;
        for (std::int64_t p = 0; p < P; ++p) {
            T* __restrict Sp = S + p * N;
            const T dx = delta * xt[p];
            T acc = 0;
#pragma omp simd reduction(+ : acc)
            for (std::int64_t n = 0; n < N; ++n) {
                const T v = decay * Sp[n] + dx * Bt[n];
                Sp[n] = v;
                acc += v * Ct[n];
            }
            if constexpr (kKeep) {
                T* __restrict st = states + ((t - t0) * P + p) * N;
                for (std::int64_t n = 0; n < N; ++n)
                    st[n] = Sp[n];
            }
            if (y)
                y[t * hd.HP + p] = acc + hd.D * xt[p];
        }
    }
}

}  // namespace ssmscope::kernels::detail
