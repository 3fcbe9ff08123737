// The tensors a model of a configuration has — Hugging Face names and shapes, in the order
// LanguageModel::named_parameters() lists them — known from the configuration alone, so that a
// checkpoint's tensors are checked (and `info` answered) without allocating the model, whose
// parameters may not fit in memory beside the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/config/model_config.hpp"

namespace ssmscope::model {

struct TensorShape {
    std::string name;
    std::vector<std::int64_t> shape;
};

// Every parameter of the model: embedding, each layer's, final norm, and the LM head when untied.
std::vector<TensorShape> parameter_shapes(const ModelConfig& config);

// Block `layer`'s (backbone.layers.{layer}.norm.weight, ….mixer.*).
std::vector<TensorShape> layer_parameter_shapes(const ModelConfig& config, std::int64_t layer);

}  // namespace ssmscope::model
