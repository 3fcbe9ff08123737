// The contract of Mamba-1's selective scan (S6), fused, shared by every backend: the computation
// of mamba_ssm's selective_scan_fn with delta_bias, delta_softplus, D and the SiLU gate, in one
// pass over the sequence per channel. The entry points are declared per backend on these structs:
// kernels/cpu/selective_scan.hpp (host pointers), kernels/cuda/selective_scan_cuda.hpp (device).
//
// Per batch b, channel d (group g = d / (E/G)) and state n:
//   Δ_t   = softplus(dt_t + delta_bias[d])   (or dt_t + delta_bias[d] without delta_softplus)
//   h_t,n = exp(Δ_t A[d,n]) h_{t−1},n + Δ_t B_t[g,n] u_t          (ZOH for A, Euler for B)
//   y_t   = (Σ_n C_t[g,n] h_t,n + D[d] u_t) · SiLU(z_t)             (h_{−1} = 0)
//
// Layouts: every array is dense, row-major, in the shape written beside it (no strides). The
// sequence arrays are (batch, length, E), as model/ stores activations, so one channel reads a
// column at stride E; B and C are (batch, length, G, N), so the N states of a step are
// contiguous and the inner loop over n vectorises.
//
// The operations, each backend's selective_scan_* on these structs:
//   forward(args, y, last_state): from a zero state. y: (batch, L, E); last_state: (batch, E, N)
//     or null.
//   step(args, state, y) (CPU): continues from `state` (batch, E, N) for args.shape.length steps
//     (1 for generation: u, delta, z are then (batch, E) and B, C (batch, G, N)) and leaves the
//     final state in it. y: (batch, L, E).
//   backward(args, dy, dlast_state, grads): the gradients of the forward for dy (batch, L, E)
//     and dlast_state (batch, E, N), the gradient reaching the last state, or null.
#pragma once

#include <cstdint>

namespace ssmscope::kernels {

struct SelectiveScanShape {
    std::int64_t batch = 0;
    std::int64_t length = 0;    // L
    std::int64_t channels = 0;  // E
    std::int64_t state = 0;     // N
    std::int64_t groups = 1;    // G, dividing E: channel d reads the B, C of group d / (E/G)
};

template <class T>
struct SelectiveScanArgs {
    SelectiveScanShape shape;
    const T* u = nullptr;           // (batch, L, E)
    const T* delta = nullptr;       // (batch, L, E): dt, before delta_bias and softplus
    const T* A = nullptr;           // (E, N)
    const T* B = nullptr;           // (batch, L, G, N)
    const T* C = nullptr;           // (batch, L, G, N)
    const T* D = nullptr;           // (E), or null for no skip term
    const T* z = nullptr;           // (batch, L, E), or null for no gate
    const T* delta_bias = nullptr;  // (E), or null
    bool delta_softplus = false;
    int threads = 0;  // CPU: 0 for every hardware thread; results do not depend on it
    // Backward only: the state is kept every `checkpoint_every` steps and recomputed in between.
    std::int64_t checkpoint_every = 64;
};

// Gradients of the forward. Each pointer has the shape of the input it differentiates; a null
// pointer skips that output (dD, dz, ddelta_bias must be null when D, z, delta_bias are).
// du and ddelta are always written; dA, dB, dC, dD, ddelta_bias are overwritten, not accumulated.
template <class T>
struct SelectiveScanGrads {
    T* du = nullptr;           // (batch, L, E)
    T* ddelta = nullptr;       // (batch, L, E): with respect to dt (through softplus and bias)
    T* dA = nullptr;           // (E, N)
    T* dB = nullptr;           // (batch, L, G, N)
    T* dC = nullptr;           // (batch, L, G, N)
    T* dD = nullptr;           // (E)
    T* dz = nullptr;           // (batch, L, E)
    T* ddelta_bias = nullptr;  // (E)
};

}  // namespace ssmscope::kernels
