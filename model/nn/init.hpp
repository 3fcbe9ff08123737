// Initialisations of the reference implementation shared by the mixers.
#pragma once

#include <cstdint>
#include <initializer_list>

#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include "model/config/model_config.hpp"

namespace ssmscope::model {

// Δ targets dt = exp(U(0,1)·(ln dt_max − ln dt_min) + ln dt_min), clamped at dt_init_floor, and
// the bias that makes softplus(bias) = dt: bias = dt + log(−expm1(−dt)).
torch::Tensor dt_bias_init(std::int64_t size, const ModelConfig& config);

// softplus⁻¹, exact: log(e^y − 1) written as y + log(1 − e^{−y}) to stay finite for large y.
torch::Tensor inverse_softplus(const torch::Tensor& y);

// dt_proj of the Mamba-1 family: weight U(±r^{−1/2}·dt_scale) ("random") or that constant, and
// the bias that makes softplus(bias) the sampled Δ.
void init_dt_proj(torch::nn::Linear& dt_proj, const ModelConfig& config);

// The residual branch's out_proj is re-drawn (kaiming_uniform, a = √5, as PyTorch's Linear) and
// scaled by 1/√n_layer so the residual stream does not grow with depth; the other
// projections' biases start at zero (mamba_ssm's _init_weights).
void init_out_proj(torch::nn::Linear& out_proj, const ModelConfig& config,
                   std::initializer_list<torch::nn::Linear*> zero_bias);

}  // namespace ssmscope::model
