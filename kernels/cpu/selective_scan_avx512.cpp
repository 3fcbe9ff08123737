// Compiled with -mavx512f -mavx512dq (kernels/CMakeLists.txt); called only where the CPU has them.
#include "kernels/cpu/selective_scan_lanes.hpp"
#include "kernels/cpu/selective_scan_lanes_backward.hpp"
#include "kernels/cpu/simd_avx512.hpp"

namespace ssmscope::kernels {

void selective_scan_lanes_avx512(const SelectiveScanLanesJob& job) {
    scan_lanes<Avx512>(job);
}

void selective_scan_lanes_backward_avx512(const SelectiveScanLanesBackwardJob& job) {
    scan_lanes_backward<Avx512>(job);
}

}  // namespace ssmscope::kernels
