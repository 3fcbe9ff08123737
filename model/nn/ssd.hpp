// Mamba-2's state-space duality form: the scalar-A recurrence computed chunk by chunk as masked
// matrix products (quadratic inside a chunk, a short recurrence between chunk states).
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace ssmscope::model {

// x: (batch, length, H, P); delta: (batch, length, H); A: (H); B, C: (batch, length, H, N).
// Computes, per head, S_t = exp(Δ_t A) S_{t−1} + Δ_t x_t ⊗ B_t and y_t = S_t C_t (no D term).
// Returns y: (batch, length, H, P).
torch::Tensor ssd(const torch::Tensor& x, const torch::Tensor& delta, const torch::Tensor& A,
                  const torch::Tensor& B, const torch::Tensor& C, std::int64_t chunk);

// segsum(a)[..., i, j] = a_{j+1} + … + a_i for j ≤ i and −∞ above the diagonal, so that
// exp(segsum) is the causal decay matrix. a: (..., T) → (..., T, T).
torch::Tensor segsum(const torch::Tensor& a);

}  // namespace ssmscope::model
