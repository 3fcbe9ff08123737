// The contract of the exact companion-form scan (SC-, SO-Mamba, ST-Mamba-2) in the state
// coordinates, for every parameter value: no eigenbasis, so no condition-number cliff. Per batch
// b, unit u (a channel, or a head whose P channels share A and Δ) and channel p, with
// A = companion(a_u) (controllable form) or its transpose (observable form) and Δ_t > 0:
//   h_t = exp(Δ_t A) h_{t−1} + Δ_t φ1(Δ_t A) b_t x_t[p]       (exact zero-order hold, h_{−1} = 0)
//   controllable: b_t = e_N, y_t[p] = sel_t · h_t;   observable: b_t = sel_t, y_t[p] = h_t[N−1].
// Each step is exp(ΔÂ) applied to [h; x], Â = [[A, b_t], [0, 0]], by a Taylor series truncated a
// priori (terms: products with A, a shift and one dot product, O(N)) in s substeps, run in
// diagonally scaled coordinates where ||A|| is O(N × the largest root modulus): O(s K N) per
// (token, channel), K ≤ 11 terms in float32, 19 in double.
//
// Backward: the exact gradient of that truncated series, from the two Krylov sequences of A and
// A' (cpu/companion_lanes_backward.hpp), O(s K N) per (token, channel); states kept per work item
// (recomputed from checkpoints beyond 16 MiB), no (batch, L, U, N, N) tensor.
//
// Layouts: dense, row-major, in the shape beside each pointer. sel has G groups of units (G
// divides U; unit u reads group u / (U / G)): G = 1 when every channel shares C_t (SC-Mamba).
#pragma once

#include <cstdint>

namespace ssmscope::kernels {

struct CompanionScanShape {
    std::int64_t batch = 0;
    std::int64_t length = 0;    // L
    std::int64_t units = 0;     // U
    std::int64_t channels = 1;  // P
    std::int64_t order = 0;     // N
    std::int64_t groups = 1;    // G, of sel
};

template <class T>
struct CompanionScanArgs {
    CompanionScanShape shape;
    bool observable = false;    // A = companion(a)' and b_t = sel_t, else A = companion(a)
    const T* coeffs = nullptr;  // (U, N): a_0..a_{N−1} of s^N + a_{N−1}s^{N−1} + … + a_0
    const T* delta = nullptr;   // (batch, L, U), Δ > 0
    const T* x = nullptr;       // (batch, L, U, P)
    const T* sel = nullptr;     // (batch, L, G, N)
    int threads = 0;            // CPU: 0 for every hardware thread; results do not depend on it
    // Backward only: states kept for this many tokens at a time, recomputed from checkpoints;
    // 0 keeps every state of a sequence where that takes at most 16 MiB per thread.
    std::int64_t checkpoint_every = 0;
};

// Gradients of a real loss, each of its input's shape, overwritten. dcoeffs sums over the batch
// and dsel over the units of a group, each in a fixed order.
template <class T>
struct CompanionScanGrads {
    T* dx = nullptr;       // (batch, L, U, P)
    T* ddelta = nullptr;   // (batch, L, U)
    T* dcoeffs = nullptr;  // (U, N)
    T* dsel = nullptr;     // (batch, L, G, N)
};

// Substeps a step may take before the scan refuses it (companion_scan_forward throws
// std::invalid_argument): beyond this the caller's dense exponential is cheaper.
inline constexpr double kCompanionScanMaxSubsteps = 256;

}  // namespace ssmscope::kernels
