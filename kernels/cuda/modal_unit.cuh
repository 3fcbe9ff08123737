// One channel of a unit of the modal scan on the GPU: the argument checks, the mode coefficients
// exp(Δλ) and φ(Δ, λ) = (exp(Δλ) − 1)/λ, and the step of the recurrence, shared by the forward
// and the backward's recomputation so that both compute the same states. Internal to
// kernels/cuda; the formulas are those of kernels/modal_scan.hpp, the mode coefficients
// kernels/scan_math.hpp (shared with the CPU backend).
#pragma once

#include <stdexcept>

#include "kernels/cuda/channel_tiles.cuh"
#include "kernels/cuda/scan_common.cuh"
#include "kernels/modal_scan.hpp"
#include "kernels/scan_math.hpp"

namespace ssmscope::kernels::cuda::detail {

// The mode coefficients are the CPU backend's, compiled here for the device.
using kernels::detail::complex_divide;
using kernels::detail::mode_coefficients;

template <class T>
void check_modal(const ModalScanArgs<T>& a) {
    const ModalScanShape& s = a.shape;
    if (s.batch < 0 || s.length < 0 || s.units < 1 || s.channels < 1 || s.modes < 1)
        throw std::invalid_argument("cuda modal scan: sizes must be positive");
    if (s.modes > 32 * kMaxPerLane)
        throw std::invalid_argument("cuda modal scan: N above 256 is not supported");
    if (!a.x || !a.delta || !a.lambda_re || !a.lambda_im || !a.g_re || !a.g_im || !a.o_re ||
        !a.o_im)
        throw std::invalid_argument("cuda modal scan: x, delta, lambda, g, o are required");
    if (a.checkpoint_every < 1)
        throw std::invalid_argument("cuda modal scan: checkpoint_every must be positive");
}

// Where channel p of unit (b, u) reads: element offsets at t = 0 and their step strides (0 for
// a fixed g or o). An inactive channel (p ≥ P, in the last tile) gets the offsets of channel 0,
// so every read stays in bounds, and reads x and dy as 0.
struct ModalChannel {
    long long x;       // x[b, 0, u, p] (also y, dy, dx), step UP
    long long delta;   // delta[b, 0, u], step U
    long long lambda;  // λ[u, 0]
    long long g, g_step;
    long long o, o_step;
    long long UP, U, N;
    bool active;
};

template <class T>
__device__ inline ModalChannel modal_channel(const ModalScanArgs<T>& a, long long b, long long u,
                                             long long p) {
    const ModalScanShape& s = a.shape;
    const long long U = s.units, P = s.channels, N = s.modes, L = s.length;
    const long long selective = (b * L * U + u) * N, fixed = u * N;
    const bool active = p < P;
    ModalChannel c;
    c.x = (b * L * U + u) * P + (active ? p : 0);
    c.delta = b * L * U + u;
    c.lambda = u * N;
    c.g = a.g_selective ? selective : fixed;
    c.g_step = a.g_selective ? U * N : 0;
    c.o = a.o_selective ? selective : fixed;
    c.o_step = a.o_selective ? U * N : 0;
    c.UP = U * P;
    c.U = U;
    c.N = N;
    c.active = active;
    return c;
}

// Step t on the lane's modes z[j] = z[p, lane + j·W] (real and imaginary parts apart):
//   z_t[p,n] = exp(Δ_t λ_n) z_{t−1}[p,n] + φ(Δ_t, λ_n) g_t[n] x_t[p].
// With kReadOut, returns the lane's part of Re Σ_n o_t[n] z_t[p,n] (0 otherwise).
template <bool kReadOut, class T>
__device__ inline T modal_advance(const ModalScanArgs<T>& a, const ModalChannel& c, long long t,
                                  int lane, int W, T (&zr)[kMaxPerLane], T (&zi)[kMaxPerLane]) {
    const T delta = a.delta[c.delta + t * c.U];
    const T xv = c.active ? a.x[c.x + t * c.UP] : T(0);
    const long long g = c.g + t * c.g_step, o = c.o + t * c.o_step;
    T acc = 0;
#pragma unroll
    for (int j = 0; j < kMaxPerLane; ++j) {
        const long long n = lane + static_cast<long long>(j) * W;
        if (n < c.N) {
            T er, ei, pr, pi;
            mode_coefficients(delta, a.lambda_re[c.lambda + n], a.lambda_im[c.lambda + n], er, ei,
                              pr, pi);
            const T gr = a.g_re[g + n], gi = a.g_im[g + n];
            const T qr = pr * gr - pi * gi, qi = pr * gi + pi * gr;  // φ·g
            const T vr = er * zr[j] - ei * zi[j] + qr * xv;
            const T vi = er * zi[j] + ei * zr[j] + qi * xv;
            zr[j] = vr;
            zi[j] = vi;
            if constexpr (kReadOut)
                acc += a.o_re[o + n] * vr - a.o_im[o + n] * vi;
        }
    }
    return acc;
}

}  // namespace ssmscope::kernels::cuda::detail
