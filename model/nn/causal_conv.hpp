// Causal depthwise 1-D convolution: the full-sequence form (Conv1d with d_conv − 1 zeros of left
// padding, first L outputs kept) and the one-token form over a rolling window of inputs.
#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace ssmscope::model {

// x: (batch, length, channels); weight: (channels, 1, d_conv); bias: (channels) or undefined.
// out[l, c] = bias[c] + Σ_k weight[c, 0, k] · x[l − (d_conv − 1) + k, c], with x[< 0] = 0.
torch::Tensor causal_conv(const torch::Tensor& x, const torch::Tensor& weight,
                          const torch::Tensor& bias);

// x: (batch, channels), the next input; window: (batch, channels, d_conv), shifted left in place
// and x appended. Returns the convolution output for this token.
torch::Tensor causal_conv_step(const torch::Tensor& x, torch::Tensor& window,
                               const torch::Tensor& weight, const torch::Tensor& bias);

enum class Init;

// The parameters of the mixers' depthwise convolution, named as Conv1d names them (weight
// (channels, 1, d_conv), bias (channels)), drawn as Conv1d draws them unless Init::None.
class CausalConv1dImpl : public torch::nn::Module {
  public:
    CausalConv1dImpl(std::int64_t channels, std::int64_t kernel_size, bool bias, Init init);
    // x: (batch, length, channels), as causal_conv.
    torch::Tensor forward(const torch::Tensor& x) { return causal_conv(x, weight, bias); }
    std::int64_t kernel_size() const { return weight.size(2); }

    torch::Tensor weight, bias;
};
TORCH_MODULE(CausalConv1d);

}  // namespace ssmscope::model
