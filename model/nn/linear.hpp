// y = x·Wᵀ + b, as torch::nn::Linear, but built with or without drawing W (model/nn/init.hpp):
// torch::nn::Linear always draws, and a model loaded from a checkpoint replaces every weight.
#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace ssmscope::model {

enum class Init;

class LinearImpl : public torch::nn::Module {
  public:
    LinearImpl(std::int64_t in_features, std::int64_t out_features, bool bias, Init init);
    torch::Tensor forward(const torch::Tensor& x);

    // Read by forward() as members, not through the parameter table, so that LoRA can put a
    // merged weight in their place (model/train/lora.cpp).
    torch::Tensor weight;  // (out, in)
    torch::Tensor bias;    // (out), undefined without one
};
TORCH_MODULE(Linear);

}  // namespace ssmscope::model
