// Initialisations of the reference implementation shared by the mixers.
#pragma once

#include <cstdint>
#include <initializer_list>

#include <torch/types.h>

#include "model/config/model_config.hpp"
#include "model/nn/linear.hpp"

namespace ssmscope::model {

// Whether a new module draws its weights. A model whose every parameter is about to be replaced
// from a checkpoint is built with Init::None: its matrices are allocated but never written, and
// an allocation the program never touches costs no memory (the OS supplies pages on first write),
// so loading a 7 B model does not first draw 7 B random numbers into 29 GB of float32. The
// small per-unit vectors (A_log, D, Δ's bias, the poles) are drawn either way.
enum class Init { Random, None };

// PyTorch's default for Linear and Conv (reset_parameters): weight kaiming-uniform with a = √5,
// bias U(±1/√fan_in); the same draws in the same order, so seeded models are unchanged.
void torch_default_init(torch::Tensor& weight, torch::Tensor& bias);

// Δ targets dt = exp(U(0,1)·(ln dt_max − ln dt_min) + ln dt_min), clamped at dt_init_floor, and
// the bias that makes softplus(bias) = dt: bias = dt + log(−expm1(−dt)).
torch::Tensor dt_bias_init(std::int64_t size, const ModelConfig& config);

// softplus⁻¹, exact: log(e^y − 1) written as y + log(1 − e^{−y}) to stay finite for large y.
torch::Tensor inverse_softplus(const torch::Tensor& y);

// dt_proj of the Mamba-1 family: weight U(±r^{−1/2}·dt_scale) ("random") or that constant, and
// the bias that makes softplus(bias) the sampled Δ.
void init_dt_proj(Linear& dt_proj, const ModelConfig& config);

// The residual branch's out_proj is re-drawn (kaiming_uniform, a = √5, as PyTorch's Linear) and
// scaled by 1/√n_layer so the residual stream does not grow with depth; the other
// projections' biases start at zero (mamba_ssm's _init_weights).
void init_out_proj(Linear& out_proj, const ModelConfig& config,
                   std::initializer_list<Linear*> zero_bias);

}  // namespace ssmscope::model
