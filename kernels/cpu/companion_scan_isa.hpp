// The entry points of the lane-parallel companion scan (companion_lanes.hpp), one per instruction
// set and scalar type, each in a translation unit compiled for it (companion_scan_avx2.cpp,
// companion_scan_avx512.cpp); the baseline build's own instantiation lives in companion_scan.cpp.
// Internal to kernels/.
#pragma once

#include <cstdint>

#include "kernels/companion_scan.hpp"

namespace ssmscope::kernels {

// Units u0 … u0 + count − 1 of one group in batch row b. The forward scans them in blocks of the
// lane width and writes their y; the backward takes a whole group (its units add into the same
// dsel rows) and writes their dx, ddelta and dsel contributions, and into dcoeffs the (count, N)
// partial sums of this batch row.
template <class T>
struct CompanionLanesJob {
    const CompanionScanArgs<T>* args = nullptr;
    std::int64_t b = 0, u0 = 0, count = 0;
    T* y = nullptr;                                // forward: (batch, L, U, P)
    const T* dy = nullptr;                         // backward: (batch, L, U, P)
    const CompanionScanGrads<T>* grads = nullptr;  // backward: dx, ddelta, dsel
    T* dcoeffs = nullptr;                          // backward: (count, N), written
    std::int64_t chunk = 0;                        // backward: tokens of states kept at a time
    std::int64_t substeps = 1;                     // backward: the most substeps of any step
    T* scratch = nullptr;  // companion_lanes_scratch(shape, chunk, substeps, width) elements
};

// Scratch elements a job needs (forward: chunk = 0) at lane width `width`.
std::int64_t companion_lanes_scratch(const CompanionScanShape& shape, std::int64_t chunk,
                                     std::int64_t substeps, int width);

void companion_lanes_forward_avx2(const CompanionLanesJob<float>& job);
void companion_lanes_forward_avx2(const CompanionLanesJob<double>& job);
void companion_lanes_backward_avx2(const CompanionLanesJob<float>& job);
void companion_lanes_backward_avx2(const CompanionLanesJob<double>& job);
void companion_lanes_forward_avx512(const CompanionLanesJob<float>& job);
void companion_lanes_forward_avx512(const CompanionLanesJob<double>& job);
void companion_lanes_backward_avx512(const CompanionLanesJob<float>& job);
void companion_lanes_backward_avx512(const CompanionLanesJob<double>& job);

}  // namespace ssmscope::kernels
