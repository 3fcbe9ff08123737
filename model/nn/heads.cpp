#include "model/nn/heads.hpp"

#include <cmath>

#include <torch/torch.h>

namespace ssmscope::model {

torch::Tensor head_delta(const torch::Tensor& dt, const torch::Tensor& dt_bias,
                         const ModelConfig& c) {
    torch::Tensor d = torch::softplus(dt + dt_bias);
    if (c.dt_limit_lo > 0.0 || std::isfinite(c.dt_limit_hi)) {
        d = d.clamp(c.dt_limit_lo, c.dt_limit_hi);
    }
    return d;
}

torch::Tensor groups_to_heads(const torch::Tensor& groups, std::int64_t ngroups,
                              std::int64_t d_state, std::int64_t nheads) {
    std::vector<std::int64_t> shape = groups.sizes().vec();
    shape.back() = ngroups;
    shape.push_back(d_state);
    return groups.reshape(shape).repeat_interleave(nheads / ngroups, -2);
}

}  // namespace ssmscope::model
