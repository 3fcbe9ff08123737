// One token of Mamba-1's scan for generation through kernels::selective_scan_step: the state
// update and read-out in one call instead of five torch operations on (batch, E, N) tensors.
// Inference only (no autograd).
#pragma once

#include <torch/types.h>

namespace ssmscope::model {

// True when the step kernel can take these tensors: the kernel backend, CPU float or double, and
// nothing that needs a gradient.
bool fused_selective_step_supported(const torch::Tensor& u, const torch::Tensor& h);

// As selective_step (selective_scan.hpp): u, delta: (batch, E), delta after its softplus; A: (E,
// N); B, C: (batch, N); D: (E); h: (batch, E, N), updated in place. Returns y: (batch, E).
torch::Tensor selective_step_fused(const torch::Tensor& u, const torch::Tensor& delta,
                                   const torch::Tensor& A, const torch::Tensor& B,
                                   const torch::Tensor& C, const torch::Tensor& D,
                                   torch::Tensor& h);

}  // namespace ssmscope::model
