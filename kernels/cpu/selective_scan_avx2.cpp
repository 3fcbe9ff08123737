// Compiled with -mavx2 -mfma (kernels/CMakeLists.txt); called only where the CPU has them.
#include "kernels/cpu/selective_scan_lanes.hpp"
#include "kernels/cpu/selective_scan_lanes_backward.hpp"
#include "kernels/cpu/simd_avx2.hpp"

namespace ssmscope::kernels {

void selective_scan_lanes_avx2(const SelectiveScanLanesJob& job) {
    scan_lanes<Avx2>(job);
}

void selective_scan_lanes_backward_avx2(const SelectiveScanLanesBackwardJob& job) {
    scan_lanes_backward<Avx2>(job);
}

}  // namespace ssmscope::kernels
