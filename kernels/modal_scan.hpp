// The contract of the complex-diagonal (modal) scan of the companion-form models (SC-, SO-Mamba,
// ST-Mamba-2), shared by every backend: model/nn/companion.cpp's companion_scan_modal, one pass
// per unit. The entry points are declared per backend on these structs: kernels/cpu/modal_scan.hpp
// (host pointers), kernels/cuda/modal_scan_cuda.hpp (device pointers); the per-mode coefficients
// both compute are kernels/scan_math.hpp.
//
// A unit u is one channel (SC/SO-Mamba, P = 1) or one head whose P channels share the poles
// (ST-Mamba-2). Per batch b, unit u, channel p and mode n, with λ = λ[u,n] complex and Δ_t > 0:
//   z_t[p,n] = exp(Δ_t λ) z_{t−1}[p,n] + φ(Δ_t, λ) g_t[n] x_t[p],   φ(Δ, λ) = (exp(Δλ) − 1)/λ
//   y_t[p]   = Re Σ_n o_t[n] z_t[p,n]                                  (z_{−1} = 0, φ(Δ, 0) = Δ)
// which is exact zero-order hold in the eigenbasis A = VΛV⁻¹ of the companion matrix. As
// companion_scan_modal feeds them:
//   controllable form: g[n] = (V⁻¹ e_N)[n], fixed per (u, n);  o_t[n] = (C_t V)[n], selective;
//   observable form:   g_t[n] = (Vᵀ B_t)[n], selective;      o[n] = (V⁻¹ e_N)[n], fixed.
// So g and o are each either selective, (batch, L, U, N), or fixed, (U, N).
//
// Complex arrays are passed as separate real and imaginary parts (same shape each), so the loop
// over modes vectorises. Layouts: dense, row-major, in the shape beside each pointer.
//
// The operations, each backend's modal_scan_* on these structs:
//   forward(args, y, last_re, last_im): from a zero state. y: (batch, L, U, P); last_re,
//     last_im: (batch, U, P, N) or null (both or neither).
//   step(args, state_re, state_im, y) (CPU): continues from the state (batch, U, P, N) for
//     args.shape.length steps (1 for generation: x (batch, U, P), delta (batch, U), selective
//     g/o (batch, U, N)), leaving the final state in it. y: (batch, L, U, P).
//   backward(args, dy, dlast_re, dlast_im, grads): dy (batch, L, U, P); dlast_re, dlast_im
//     (batch, U, P, N), the gradient reaching the last state, or null.
#pragma once

#include <cstdint>

namespace ssmscope::kernels {

struct ModalScanShape {
    std::int64_t batch = 0;
    std::int64_t length = 0;    // L
    std::int64_t units = 0;     // U
    std::int64_t channels = 1;  // P, channels of a unit sharing its poles and Δ
    std::int64_t modes = 0;     // N
};

template <class T>
struct ModalScanArgs {
    ModalScanShape shape;
    const T* x = nullptr;          // (batch, L, U, P)
    const T* delta = nullptr;      // (batch, L, U): Δ itself (already positive)
    const T* lambda_re = nullptr;  // (U, N)
    const T* lambda_im = nullptr;  // (U, N)
    const T* g_re = nullptr;       // (batch, L, U, N) when g_selective, else (U, N)
    const T* g_im = nullptr;       // same shape as g_re
    bool g_selective = false;
    const T* o_re = nullptr;  // (batch, L, U, N) when o_selective, else (U, N)
    const T* o_im = nullptr;  // same shape as o_re
    bool o_selective = true;
    int threads = 0;  // CPU: 0 for every hardware thread; results do not depend on it
    std::int64_t checkpoint_every = 64;  // backward only: the state is kept every K steps
};

// Gradients of a real loss; for a complex input w = a + ib, d*_re = ∂L/∂a and d*_im = ∂L/∂b.
// Each has the shape of its input; null skips it; dx and ddelta are required; all overwritten.
template <class T>
struct ModalScanGrads {
    T* dx = nullptr;          // (batch, L, U, P)
    T* ddelta = nullptr;      // (batch, L, U)
    T* dlambda_re = nullptr;  // (U, N)
    T* dlambda_im = nullptr;  // (U, N)
    T* dg_re = nullptr;       // shape of g
    T* dg_im = nullptr;
    T* do_re = nullptr;  // shape of o
    T* do_im = nullptr;
};

}  // namespace ssmscope::kernels
