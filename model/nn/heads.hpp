// Per-head plumbing shared by the Mamba-2 family (Mamba-2, ST-Mamba-2).
#pragma once

#include <cstdint>

#include <torch/types.h>

#include "model/config/model_config.hpp"

namespace ssmscope::model {

// Δ = softplus(dt + dt_bias), clamped to dt_limit when it is not (0, ∞). dt: (…, H).
torch::Tensor head_delta(const torch::Tensor& dt, const torch::Tensor& dt_bias,
                         const ModelConfig& config);

// (…, G·N) → (…, H, N): head h reads group h / (H/G), as the reference kernels do.
torch::Tensor groups_to_heads(const torch::Tensor& groups, std::int64_t ngroups,
                              std::int64_t d_state, std::int64_t nheads);

}  // namespace ssmscope::model
