// RMSNorm, the gated, grouped form Mamba-2 applies before out_proj, and the weightless form of
// Falcon-Mamba's mixer.
#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/types.h>

namespace ssmscope::model {

class RMSNormImpl : public torch::nn::Module {
  public:
    RMSNormImpl(std::int64_t size, double eps);
    // x: (..., size) → x / rms(x) · weight.
    torch::Tensor forward(const torch::Tensor& x);
    // Mamba-2 with norm_before_gate = false: v = x · SiLU(z), normalised within consecutive
    // groups of `group_size` features (mamba_ssm's RMSNormGated), then times weight.
    torch::Tensor forward_gated(const torch::Tensor& x, const torch::Tensor& z,
                                std::int64_t group_size);

    torch::Tensor weight;  // (size)
    double eps;
};
TORCH_MODULE(RMSNorm);

// x / rms(x) over the last dimension, without a weight (Falcon-Mamba's norms of B, C and the
// time-step input). Computed in float32 at least, as transformers does for half-precision
// inputs, and in double for the double probe; returned in x's dtype.
torch::Tensor rms_normalize(const torch::Tensor& x, double eps);

}  // namespace ssmscope::model
