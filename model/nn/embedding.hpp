// The token embedding table, a lookup of rows: torch::nn::Embedding's constructor always draws
// N(0, 1) values, which the model redraws at N(0, 0.02) or a checkpoint replaces.
#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace ssmscope::model {

enum class Init;

class EmbeddingImpl : public torch::nn::Module {
  public:
    // Random: N(0, 0.02), as mamba_ssm's _init_weights.
    EmbeddingImpl(std::int64_t rows, std::int64_t dim, Init init);
    // tokens: int64 of any shape → (..., dim).
    torch::Tensor forward(const torch::Tensor& tokens);

    torch::Tensor weight;  // (rows, dim); a member, so that LoRA can replace it as for Linear
};
TORCH_MODULE(Embedding);

}  // namespace ssmscope::model
