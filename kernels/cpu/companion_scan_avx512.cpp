// Compiled with the avx512 flags of kernels/CMakeLists.txt; called only where the CPU has them.
#include "kernels/cpu/companion_lanes.hpp"
#include "kernels/cpu/companion_lanes_backward.hpp"

namespace ssmscope::kernels {

// Lane widths: one vector register of T per lane row.
void companion_lanes_forward_avx512(const CompanionLanesJob<float>& job) {
    forward_lanes<float, 16>(job);
}
void companion_lanes_forward_avx512(const CompanionLanesJob<double>& job) {
    forward_lanes<double, 8>(job);
}
void companion_lanes_backward_avx512(const CompanionLanesJob<float>& job) {
    backward_lanes<float, 16>(job);
}
void companion_lanes_backward_avx512(const CompanionLanesJob<double>& job) {
    backward_lanes<double, 8>(job);
}

}  // namespace ssmscope::kernels
