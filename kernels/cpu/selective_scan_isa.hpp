// The entry points of the lane-parallel selective scan (selective_scan_lanes.hpp), one per
// instruction set, each in a translation unit compiled for it. Internal to kernels/.
#pragma once

#include <cstdint>

#include "kernels/selective_scan.hpp"

namespace ssmscope::kernels {

// Channels d0 … d0 + count − 1 (count ≤ the lane width, all in one group) of batch row b, over
// args.shape.length steps.
struct SelectiveScanLanesJob {
    const SelectiveScanArgs<float>* args = nullptr;
    std::int64_t b = 0, d0 = 0, count = 0;
    const float* state_in = nullptr;  // (count, N) at &state[b, d0, 0], or null for h = 0
    float* state_out = nullptr;       // (count, N), may equal state_in, or null
    float* y = nullptr;               // (batch, L, E), or null
    float* scratch = nullptr;         // 2·N·16 floats, 64-byte aligned
};

// Blocks the lane kernels (forward, step and backward) have scanned with the decays as powers
// (harmonic_spectrum.hpp), counted relaxed; selective_scan_power_blocks() reads it.
extern std::int64_t g_selective_scan_power_blocks;

void selective_scan_lanes_avx512(const SelectiveScanLanesJob& job);
void selective_scan_lanes_avx2(const SelectiveScanLanesJob& job);

// The backward of channels d0 … d0 + count − 1 (as above) of batch row b; see
// selective_scan_lanes_backward.hpp. Writes du, ddelta, dz of those channels and their partial
// sums, and adds their contributions to dB and dC of every step to pdB, pdC.
struct SelectiveScanLanesBackwardJob {
    const SelectiveScanArgs<float>* args = nullptr;
    const float* dy = nullptr;           // (batch, L, E)
    const float* dlast_state = nullptr;  // (batch, E, N), or null
    const SelectiveScanGrads<float>* grads = nullptr;
    std::int64_t b = 0, d0 = 0, count = 0;
    float* pdB = nullptr;         // (L, N): this work item's partial sums, added to
    float* pdC = nullptr;         // (L, N)
    float* part_dA = nullptr;     // (count, N): written
    float* part_dD = nullptr;     // (count): written
    float* part_dbias = nullptr;  // (count): written
    float* scratch = nullptr;     // selective_scan_lanes_backward_scratch floats, 64-byte aligned
};

// Scratch floats the backward job needs for N states, L steps and checkpoints every K steps.
inline std::int64_t selective_scan_lanes_backward_scratch(std::int64_t N, std::int64_t L,
                                                          std::int64_t K) {
    const std::int64_t chunks = (L + K - 1) / K;
    return 16 * N * (5 + chunks + 2 * K);  // a2, A, carry, dA, h + checkpoints + states, decays
}

void selective_scan_lanes_backward_avx512(const SelectiveScanLanesBackwardJob& job);
void selective_scan_lanes_backward_avx2(const SelectiveScanLanesBackwardJob& job);

}  // namespace ssmscope::kernels
