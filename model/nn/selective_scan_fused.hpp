// Mamba-1's selective scan through kernels/ as an autograd function: the fused forward
// (discretisation, scan, C read-out, D skip and SiLU gate in one pass) and its backward, which
// recomputes the states in chunks instead of keeping them.
#pragma once

#include <torch/types.h>

namespace ssmscope::model {

// True when the fused kernel can run on these tensors (CPU float or double; CUDA when the
// CUDA kernels were built).
bool fused_selective_scan_supported(const torch::Tensor& u);

// u, delta, z: (batch, length, E), delta after its softplus; A: (E, N); B, C: (batch, length, N);
// D: (E). Returns (selective_scan(u, delta, A, B, C, D) ⊙ SiLU(z)): (batch, length, E).
torch::Tensor selective_scan_fused(const torch::Tensor& u, const torch::Tensor& delta,
                                   const torch::Tensor& A, const torch::Tensor& B,
                                   const torch::Tensor& C, const torch::Tensor& D,
                                   const torch::Tensor& z);

}  // namespace ssmscope::model
