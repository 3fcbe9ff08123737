#include "model/nn/embedding.hpp"

#include <torch/torch.h>

#include "model/nn/init.hpp"

namespace ssmscope::model {

EmbeddingImpl::EmbeddingImpl(std::int64_t rows, std::int64_t dim, Init init) {
    weight = register_parameter("weight", torch::empty({rows, dim}));
    if (init == Init::Random) {
        torch::NoGradGuard no_grad;
        weight.normal_(0.0, 0.02);
    }
}

torch::Tensor EmbeddingImpl::forward(const torch::Tensor& tokens) {
    return torch::embedding(weight, tokens);
}

}  // namespace ssmscope::model
