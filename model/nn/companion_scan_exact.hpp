// The exact companion-form scan of kernels/companion_scan.hpp for a CompanionScan, as an autograd
// function: the state recurrence itself (no eigenbasis), O(N) per (token, channel) and Taylor
// term, for every parameter value, forward and backward. It serves training, evaluation,
// `forward` and the probe of the analysis (which runs in double); generation steps densely.
#pragma once

#include <optional>

#include <torch/types.h>

#include "model/nn/companion.hpp"

namespace ssmscope::model {

// y (batch, length, U, P) in the dtype of x, or nullopt where the kernel does not serve: the
// kernels backend is not selected, the tensors are not float or double on the CPU, or a step
// would need more substeps than the kernel takes (a huge Δ ||A||).
std::optional<torch::Tensor> companion_scan_exact(const CompanionScan& scan);

}  // namespace ssmscope::model
