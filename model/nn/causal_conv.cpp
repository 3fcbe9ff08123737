#include "model/nn/causal_conv.hpp"

#include <torch/torch.h>

#include "model/nn/init.hpp"

namespace ssmscope::model {

namespace F = torch::nn::functional;

torch::Tensor causal_conv(const torch::Tensor& x, const torch::Tensor& weight,
                          const torch::Tensor& bias) {
    const std::int64_t length = x.size(1), channels = x.size(2), k = weight.size(2);
    const torch::Tensor y = torch::conv1d(x.transpose(1, 2), weight, bias, /*stride=*/1,
                                          /*padding=*/k - 1, /*dilation=*/1, /*groups=*/channels);
    return y.slice(2, 0, length).transpose(1, 2);  // (batch, length, channels)
}

torch::Tensor causal_conv_step(const torch::Tensor& x, torch::Tensor& window,
                               const torch::Tensor& weight, const torch::Tensor& bias) {
    window = torch::cat({window.slice(2, 1), x.unsqueeze(2)}, 2);
    torch::Tensor y = (window * weight.squeeze(1)).sum(2);
    if (bias.defined())
        y = y + bias;
    return y;
}

CausalConv1dImpl::CausalConv1dImpl(std::int64_t channels, std::int64_t kernel_size, bool has_bias,
                                   Init init) {
    weight = register_parameter("weight", torch::empty({channels, 1, kernel_size}));
    if (has_bias)
        bias = register_parameter("bias", torch::empty({channels}));
    if (init == Init::Random)
        torch_default_init(weight, bias);
}

}  // namespace ssmscope::model
