#include "model/nn/linear.hpp"

#include <torch/torch.h>

#include "model/nn/init.hpp"

namespace ssmscope::model {

LinearImpl::LinearImpl(std::int64_t in_features, std::int64_t out_features, bool has_bias,
                       Init init) {
    weight = register_parameter("weight", torch::empty({out_features, in_features}));
    if (has_bias)
        bias = register_parameter("bias", torch::empty({out_features}));
    if (init == Init::Random)
        torch_default_init(weight, bias);
}

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
    return torch::linear(x, weight, bias);
}

}  // namespace ssmscope::model
