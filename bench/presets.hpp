// The published shapes bench/analyze measures (Hugging Face configs of state-spaces/mamba-*,
// state-spaces/mamba2-*, SC-Mamba at Mamba-130m's shape, and falcon-mamba-7b's shape as plain
// Mamba-1), with the GPT-NeoX vocabulary (falcon-mamba's for 7b).
#pragma once

#include <string>
#include <vector>

#include "model/config/model_config.hpp"

namespace ssmscope::bench {

struct Preset {
    std::string name;
    model::ModelConfig config;
};

// 130m, 370m, 1.4b, 2.8b, mamba2-130m, mamba2-2.7b, sc-130m, 7b.
const std::vector<Preset>& presets();
// Throws std::invalid_argument naming the known presets.
const Preset& preset(const std::string& name);

}  // namespace ssmscope::bench
