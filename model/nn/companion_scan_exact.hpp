// The exact companion-form scan of kernels/companion_scan.hpp for a CompanionScan: the state
// recurrence itself (no eigenbasis), O(N) per (token, channel) and Taylor term, for every
// parameter value. Forward only, so it serves where no gradient is wanted: generation aside,
// evaluation, `forward`, and the probe of the analysis, which runs in double.
#pragma once

#include <optional>

#include <torch/types.h>

#include "model/nn/companion.hpp"

namespace ssmscope::model {

// y (batch, length, U, P) in the dtype of x, or nullopt where the kernel does not serve: a
// gradient is wanted, the kernels backend is not selected, the tensors are not float or double
// on the CPU, or a step would need more substeps than the kernel takes (a huge Δ ||A||).
std::optional<torch::Tensor> companion_scan_exact(const CompanionScan& scan);

}  // namespace ssmscope::model
