// Which vector instruction set the CPU kernels use. The library is compiled for the baseline
// x86-64 (so one binary runs anywhere); the hot loops are compiled again for AVX2 and AVX-512 in
// translation units of their own and chosen at run time from what the CPU reports.
#pragma once

#include <string>
#include <vector>

namespace ssmscope::kernels {

enum class CpuIsa { Scalar, Avx2, Avx512 };

// "scalar", "avx2", "avx512".
std::string to_string(CpuIsa isa);

// The instruction sets this build has kernels for and this CPU runs, Scalar first.
std::vector<CpuIsa> available_cpu_isas();

// The set in use: the widest available unless chosen with set_cpu_isa or the environment
// variable SSMSCOPE_CPU_ISA (scalar, avx2 or avx512).
CpuIsa cpu_isa();

// For tests and benchmarks: use `isa` from now on (all threads). Throws std::invalid_argument
// when it is not available.
void set_cpu_isa(CpuIsa isa);

}  // namespace ssmscope::kernels
