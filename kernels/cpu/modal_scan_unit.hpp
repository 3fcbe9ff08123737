// The recurrence of one unit of the modal scan, shared by the forward, the step and the
// backward's recomputation so that all three compute the same states bit for bit; the mode
// coefficients are kernels/scan_math.hpp, shared with the CUDA backend. Internal to kernels/.
#pragma once

#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "kernels/modal_scan.hpp"
#include "kernels/scan_math.hpp"

namespace ssmscope::kernels::detail {

template <class T>
void check_modal_scan(const ModalScanArgs<T>& a) {
    const ModalScanShape& s = a.shape;
    if (s.batch < 0 || s.length < 0 || s.units < 1 || s.channels < 1 || s.modes < 1)
        throw std::invalid_argument("modal scan: sizes must be positive");
    if (!a.x || !a.delta || !a.lambda_re || !a.lambda_im || !a.g_re || !a.g_im || !a.o_re ||
        !a.o_im)
        throw std::invalid_argument("modal scan: x, delta, lambda, g, o are required");
    if (a.checkpoint_every < 1)
        throw std::invalid_argument("modal scan: checkpoint_every must be positive");
}

// Everything unit (b, u) reads: base pointers and step strides (0 for a fixed g or o).
template <class T>
struct Unit {
    const T* x;      // x[b, 0, u, 0], step stride U·P
    const T* delta;  // delta[b, 0, u], step stride U
    const T *lr, *li;
    const T *gr, *gi;
    const T *orr, *oi;
    std::int64_t g_step, o_step, UP, U, P, N;
};

template <class T>
Unit<T> unit(const ModalScanArgs<T>& a, std::int64_t b, std::int64_t u) {
    const ModalScanShape& s = a.shape;
    const std::int64_t U = s.units, N = s.modes, L = s.length;
    const std::int64_t sel = (b * L * U + u) * N, fixed = u * N;
    const std::int64_t g0 = a.g_selective ? sel : fixed, o0 = a.o_selective ? sel : fixed;
    return {a.x + (b * L * U + u) * s.channels,
            a.delta + b * L * U + u,
            a.lambda_re + u * N,
            a.lambda_im + u * N,
            a.g_re + g0,
            a.g_im + g0,
            a.o_re + o0,
            a.o_im + o0,
            a.g_selective ? U * N : 0,
            a.o_selective ? U * N : 0,
            U * s.channels,
            U,
            s.channels,
            N};
}

// Per-step mode coefficients of a unit: (N) each.
template <class T>
struct ModeRow {
    T *er, *ei;  // exp(Δλ)
    T *pr, *pi;  // φ(Δ, λ)
    T *qr, *qi;  // φ·g
};

template <class T>
void mode_row(const Unit<T>& un, std::int64_t t, const ModeRow<T>& m) {
    const T delta = un.delta[t * un.U];
    const T* gr = un.gr + t * un.g_step;
    const T* gi = un.gi + t * un.g_step;
    for (std::int64_t n = 0; n < un.N; ++n) {
        mode_coefficients(delta, un.lr[n], un.li[n], m.er[n], m.ei[n], m.pr[n], m.pi[n]);
        m.qr[n] = m.pr[n] * gr[n] - m.pi[n] * gi[n];
        m.qi[n] = m.pr[n] * gi[n] + m.pi[n] * gr[n];
    }
}

// Steps t in [t0, t1) from the state (zr, zi: (P, N)), updated in place. Writes y[t·U·P + p]
// when y is non-null and, when kKeep, every state to states_*[((t − t0)·P + p)·N + n]. `row` is
// scratch for the mode coefficients.
template <bool kKeep, class T>
void scan_unit(const Unit<T>& un, std::int64_t t0, std::int64_t t1, T* __restrict zr,
               T* __restrict zi, T* __restrict y, T* __restrict states_r, T* __restrict states_i,
               const ModeRow<T>& row) {
    const std::int64_t P = un.P, N = un.N;
    for (std::int64_t t = t0; t < t1; ++t) {
        mode_row(un, t, row);
        const T* __restrict er = row.er;
        const T* __restrict ei = row.ei;
        const T* __restrict qr = row.qr;
        const T* __restrict qi = row.qi;
        const T* __restrict orr = un.orr + t * un.o_step;
        const T* __restrict oi = un.oi + t * un.o_step;
        const T* __restrict xt = un.x + t * un.UP;
        for (std::int64_t p = 0; p < P; ++p) {
            T* __restrict zrp = zr + p * N;
            T* __restrict zip = zi + p * N;
            const T xv = xt[p];
            T acc = 0;
#pragma omp simd reduction(+ : acc)
            for (std::int64_t n = 0; n < N; ++n) {
                const T vr = er[n] * zrp[n] - ei[n] * zip[n] + qr[n] * xv;
                const T vi = er[n] * zip[n] + ei[n] * zrp[n] + qi[n] * xv;
                zrp[n] = vr;
                zip[n] = vi;
                acc += orr[n] * vr - oi[n] * vi;
            }
            if constexpr (kKeep) {
                T* __restrict sr = states_r + ((t - t0) * P + p) * N;
                T* __restrict si = states_i + ((t - t0) * P + p) * N;
                for (std::int64_t n = 0; n < N; ++n) {
                    sr[n] = zrp[n];
                    si[n] = zip[n];
                }
            }
            if (y)
                y[t * un.UP + p] = acc;
        }
    }
}

}  // namespace ssmscope::kernels::detail
