// Sizes derived from a configuration alone, without allocating a model: parameter counts (the
// Sparse variants drop the B or C rows of x_proj and keep N coefficients per channel) and the
// recurrent state a layer carries per sequence.
#pragma once

#include <cstdint>

#include "model/config/model_config.hpp"

namespace ssmscope::model {

struct ParameterCount {
    std::int64_t embedding = 0;  // token embedding (and the LM head when untied)
    std::int64_t per_layer = 0;  // one block: norm + mixer
    std::int64_t final_norm = 0;
    std::int64_t total = 0;
};

ParameterCount parameter_count(const ModelConfig& config);

// Values in one layer's generation cache (convolution window + SSM state) per sequence.
std::int64_t state_values_per_layer(const ModelConfig& config);

}  // namespace ssmscope::model
