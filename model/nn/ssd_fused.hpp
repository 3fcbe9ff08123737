// Mamba-2's scalar-A heads through kernels/ (the plain recurrence, O(L·P·N) per head) as an
// autograd function; the backward recomputes the states in chunks.
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace ssmscope::model {

// True when the kernel can run on these tensors (float or double, kernels selected; CPU, or CUDA
// when the CUDA kernels were built).
bool fused_ssd_supported(const torch::Tensor& x);

// x: (batch, length, H, P); delta: (batch, length, H), after softplus and limits; A: (H);
// B, C: (batch, length, G, N) with G dividing H. The same as ssd() with B, C expanded to the
// heads: S_t = exp(Δ_t A) S_{t−1} + Δ_t x_t ⊗ B_t, y_t = S_t C_t. Returns (batch, length, H, P).
torch::Tensor ssd_fused(const torch::Tensor& x, const torch::Tensor& delta, const torch::Tensor& A,
                        const torch::Tensor& B, const torch::Tensor& C);

}  // namespace ssmscope::model
