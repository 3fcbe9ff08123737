// Mamba-1's selective scan as the reference implementation computes it (selective_scan_ref):
// ZOH for A, the simplified (Euler) Δ·B for the input, D skip; no gate here.
#pragma once

#include <torch/types.h>

namespace ssmscope::model {

// u, delta: (batch, length, E); A: (E, N); B, C: (batch, length, N); D: (E).
// h_t[d] = exp(Δ_t[d]·A[d]) ⊙ h_{t−1}[d] + Δ_t[d]·B_t·u_t[d];  y_t[d] = C_t·h_t[d] + D[d]·u_t[d].
// Returns y: (batch, length, E).
torch::Tensor selective_scan(const torch::Tensor& u, const torch::Tensor& delta,
                             const torch::Tensor& A, const torch::Tensor& B, const torch::Tensor& C,
                             const torch::Tensor& D);

// One token: u, delta: (batch, E); B, C: (batch, N); h: (batch, E, N) updated in place.
torch::Tensor selective_step(const torch::Tensor& u, const torch::Tensor& delta,
                             const torch::Tensor& A, const torch::Tensor& B, const torch::Tensor& C,
                             const torch::Tensor& D, torch::Tensor& h);

}  // namespace ssmscope::model
