// Initialisations of the reference implementation shared by the mixers.
#pragma once

#include <cstdint>

#include <torch/types.h>

#include "model/config/model_config.hpp"

namespace ssmscope::model {

// Δ targets dt = exp(U(0,1)·(ln dt_max − ln dt_min) + ln dt_min), clamped at dt_init_floor, and
// the bias that makes softplus(bias) = dt: bias = dt + log(−expm1(−dt)).
torch::Tensor dt_bias_init(std::int64_t size, const ModelConfig& config);

// softplus⁻¹, exact: log(e^y − 1) written as y + log(1 − e^{−y}) to stay finite for large y.
torch::Tensor inverse_softplus(const torch::Tensor& y);

// PyTorch's default Linear init (kaiming_uniform with a = √5), then scaled by `gain`.
void kaiming_linear_init(torch::Tensor& weight, double gain = 1.0);

}  // namespace ssmscope::model
