#include "model/nn/init.hpp"

#include <cmath>

#include <torch/torch.h>

namespace ssmscope::model {

torch::Tensor inverse_softplus(const torch::Tensor& y) {
    return y + torch::log(-torch::expm1(-y));
}

torch::Tensor dt_bias_init(std::int64_t size, const ModelConfig& c) {
    const double lo = std::log(c.dt_min), hi = std::log(c.dt_max);
    const torch::Tensor dt = torch::exp(torch::rand({size}, torch::kFloat64) * (hi - lo) + lo)
                                 .clamp_min(c.dt_init_floor);
    return inverse_softplus(dt).to(torch::kFloat32);
}

void kaiming_linear_init(torch::Tensor& weight, double gain) {
    torch::NoGradGuard no_grad;
    torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
    if (gain != 1.0)
        weight.mul_(gain);
}

}  // namespace ssmscope::model
