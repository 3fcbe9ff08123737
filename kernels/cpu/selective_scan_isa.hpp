// The entry points of the lane-parallel selective scan (selective_scan_lanes.hpp), one per
// instruction set, each in a translation unit compiled for it. Internal to kernels/.
#pragma once

#include <cstdint>

#include "kernels/cpu/selective_scan.hpp"

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

void selective_scan_lanes_avx512(const SelectiveScanLanesJob& job);
void selective_scan_lanes_avx2(const SelectiveScanLanesJob& job);

}  // namespace ssmscope::kernels
