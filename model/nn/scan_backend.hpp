// Which implementation the mixers' scans use. The fused kernels of kernels/ are the default for
// float and double CPU tensors; the torch-ops scans (selective_scan.hpp, ssd.hpp, companion.hpp)
// stay as the reference that tests compare the kernels with.
#pragma once

namespace ssmscope::model {

enum class ScanBackend { Kernels, Reference };

// Process-wide; set it before running models (tests and benchmarks switch it).
void set_scan_backend(ScanBackend backend);
ScanBackend scan_backend();

}  // namespace ssmscope::model
