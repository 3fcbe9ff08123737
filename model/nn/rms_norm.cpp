#include "model/nn/rms_norm.hpp"

#include <torch/torch.h>

namespace ssmscope::model {

RMSNormImpl::RMSNormImpl(std::int64_t size, double eps_) : eps(eps_) {
    weight = register_parameter("weight", torch::ones({size}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
    return x * torch::rsqrt(x.pow(2).mean(-1, true) + eps) * weight;
}

torch::Tensor RMSNormImpl::forward_gated(const torch::Tensor& x, const torch::Tensor& z,
                                         std::int64_t group_size) {
    const torch::Tensor v = x * torch::silu(z);
    auto shape = v.sizes().vec();
    std::vector<std::int64_t> grouped(shape.begin(), shape.end() - 1);
    grouped.push_back(shape.back() / group_size);
    grouped.push_back(group_size);
    const torch::Tensor g = v.reshape(grouped);
    const torch::Tensor n = g * torch::rsqrt(g.pow(2).mean(-1, true) + eps);
    return n.reshape(shape) * weight;
}

torch::Tensor rms_normalize(const torch::Tensor& x, double eps) {
    const torch::Tensor w = x.to(torch::promote_types(x.scalar_type(), torch::kFloat32));
    return (w * torch::rsqrt(w.pow(2).mean(-1, true) + eps)).to(x.scalar_type());
}

}  // namespace ssmscope::model
