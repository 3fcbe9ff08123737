// Which implementation the mixers' scans use. The fused kernels of kernels/ are the default for
// float and double CPU tensors; the torch-ops scans (selective_scan.hpp, ssd.hpp, companion.hpp)
// stay as the reference that tests compare the kernels with.
#pragma once

#include <cstdint>

namespace ssmscope::model {

enum class ScanBackend { Kernels, Reference };

// Process-wide; set it before running models (tests and benchmarks switch it).
void set_scan_backend(ScanBackend backend);
ScanBackend scan_backend();

// How many sequences the fused scan kernels have been applied to in this process (every forward of
// a mixer through them counts one), and how many of them came in bf16 or fp16 (autocast), so that
// a test can tell that they, and not the torch-ops scans, ran.
struct KernelCalls {
    std::int64_t total = 0, reduced_precision = 0;
};
KernelCalls kernel_calls();
void count_kernel_call(bool reduced_precision);

}  // namespace ssmscope::model
