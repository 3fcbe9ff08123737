// The contract of Mamba-2's scalar-A heads (the recurrence behind SSD), shared by every backend,
// in the plain recurrent form. The entry points are declared per backend on these structs:
// kernels/cpu/ssd_scan.hpp (host pointers), kernels/cuda/ssd_scan_cuda.hpp (device pointers).
//
// Per batch b, head h (group g = h / (H/G)), channel p and state n:
//   Δ_t      = softplus(dt_t + delta_bias[h])   (or dt_t + delta_bias[h] without delta_softplus)
//   S_t[p,n] = exp(Δ_t A[h]) S_{t−1}[p,n] + Δ_t x_t[p] B_t[g,n]          (S_{−1} = 0)
//   y_t[p]   = Σ_n S_t[p,n] C_t[g,n] + D[h] x_t[p]
//
// Layouts: dense, row-major, in the shapes written beside each pointer. x and y are
// (batch, L, H, P), i.e. (batch, L, d_ssm) as model/ stores them; the state of a head is
// (P, N) with n innermost, so the update of one channel is a vectorisable loop over n.
//
// The operations, each backend's ssd_scan_* on these structs:
//   forward(args, y, last_state): from a zero state. y: (batch, L, H, P); last_state:
//     (batch, H, P, N) or null.
//   step(args, state, y) (CPU): continues from `state` (batch, H, P, N) for args.shape.length
//     steps (1 for generation: x is then (batch, H, P), delta (batch, H), B, C (batch, G, N));
//     the final state is left in it. y: (batch, L, H, P).
//   backward(args, dy, dlast_state, grads): dy (batch, L, H, P); dlast_state (batch, H, P, N)
//     or null.
#pragma once

#include <cstdint>

namespace ssmscope::kernels {

struct SsdScanShape {
    std::int64_t batch = 0;
    std::int64_t length = 0;    // L
    std::int64_t heads = 0;     // H
    std::int64_t head_dim = 0;  // P
    std::int64_t state = 0;     // N
    std::int64_t groups = 1;    // G, dividing H: head h reads the B, C of group h / (H/G)
};

template <class T>
struct SsdScanArgs {
    SsdScanShape shape;
    const T* x = nullptr;           // (batch, L, H, P)
    const T* delta = nullptr;       // (batch, L, H): dt, before delta_bias and softplus
    const T* A = nullptr;           // (H)
    const T* B = nullptr;           // (batch, L, G, N)
    const T* C = nullptr;           // (batch, L, G, N)
    const T* D = nullptr;           // (H), or null
    const T* delta_bias = nullptr;  // (H), or null
    bool delta_softplus = false;
    int threads = 0;  // CPU: 0 for every hardware thread; results do not depend on it
    std::int64_t checkpoint_every = 64;  // backward only: the state is kept every K steps
};

// Gradients; each has the shape of its input; null skips it (dD, ddelta_bias must be null when
// D, delta_bias are). dx and ddelta are required; all are overwritten.
template <class T>
struct SsdScanGrads {
    T* dx = nullptr;           // (batch, L, H, P)
    T* ddelta = nullptr;       // (batch, L, H): with respect to dt
    T* dA = nullptr;           // (H)
    T* dB = nullptr;           // (batch, L, G, N)
    T* dC = nullptr;           // (batch, L, G, N)
    T* dD = nullptr;           // (H)
    T* ddelta_bias = nullptr;  // (H)
};

}  // namespace ssmscope::kernels
