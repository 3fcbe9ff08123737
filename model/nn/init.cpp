#include "model/nn/init.hpp"

#include <cmath>

#include <torch/torch.h>

namespace ssmscope::model {

void torch_default_init(torch::Tensor& weight, torch::Tensor& bias) {
    torch::NoGradGuard no_grad;
    torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
    if (bias.defined()) {
        const auto fans = torch::nn::init::_calculate_fan_in_and_fan_out(weight);
        const double bound = 1.0 / std::sqrt(static_cast<double>(std::get<0>(fans)));
        torch::nn::init::uniform_(bias, -bound, bound);
    }
}

torch::Tensor inverse_softplus(const torch::Tensor& y) {
    return y + torch::log(-torch::expm1(-y));
}

torch::Tensor dt_bias_init(std::int64_t size, const ModelConfig& c) {
    const double lo = std::log(c.dt_min), hi = std::log(c.dt_max);
    const torch::Tensor dt = torch::exp(torch::rand({size}, torch::kFloat64) * (hi - lo) + lo)
                                 .clamp_min(c.dt_init_floor);
    return inverse_softplus(dt).to(torch::kFloat32);
}

void init_dt_proj(Linear& dt_proj, const ModelConfig& c) {
    torch::NoGradGuard no_grad;
    const double std = std::pow(static_cast<double>(c.dt_rank), -0.5) * c.dt_scale;
    if (c.dt_init_random) {
        dt_proj->weight.uniform_(-std, std);
    } else {
        dt_proj->weight.fill_(std);
    }
    dt_proj->bias.copy_(dt_bias_init(dt_proj->weight.size(0), c));
}

void init_out_proj(Linear& out_proj, const ModelConfig& c,
                   std::initializer_list<Linear*> zero_bias) {
    torch::NoGradGuard no_grad;
    torch::nn::init::kaiming_uniform_(out_proj->weight, std::sqrt(5.0));
    out_proj->weight.div_(std::sqrt(static_cast<double>(c.n_layer)));
    for (Linear* l : zero_bias) {
        if ((*l)->bias.defined())
            (*l)->bias.zero_();
    }
}

}  // namespace ssmscope::model
