// Compiled with the avx2 flags of kernels/CMakeLists.txt; called only where the CPU has them.
#include "kernels/cpu/companion_lanes.hpp"
#include "kernels/cpu/companion_lanes_backward.hpp"

namespace ssmscope::kernels {

// Lane widths: one vector register of T per lane row.
void companion_lanes_forward_avx2(const CompanionLanesJob<float>& job) {
    forward_lanes<float, 8>(job);
}
void companion_lanes_forward_avx2(const CompanionLanesJob<double>& job) {
    forward_lanes<double, 4>(job);
}
void companion_lanes_backward_avx2(const CompanionLanesJob<float>& job) {
    backward_lanes<float, 8>(job);
}
void companion_lanes_backward_avx2(const CompanionLanesJob<double>& job) {
    backward_lanes<double, 4>(job);
}

}  // namespace ssmscope::kernels
