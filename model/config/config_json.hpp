// config.json ⇄ ModelConfig for the Hugging Face `mamba`, `falcon_mamba` and `mamba2` model
// types, the original mamba_ssm layout (`d_model`, `n_layer`, `ssm_cfg`) and the Sparse variants
// (`ssm_form`).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "model/config/model_config.hpp"

namespace ssmscope::model {

// `source` names the file in error messages. Throws InputError naming the field.
ModelConfig parse_config(const nlohmann::json& json, const std::string& source);

// Reads dir/config.json.
ModelConfig load_config(const std::filesystem::path& dir);

// The same from the file's text (Python's NaN/Infinity literals accepted as load_config does).
ModelConfig parse_config_text(std::string_view text, const std::string& source);

// The Hugging Face layout that `save` writes (vocab_size is the padded size).
nlohmann::ordered_json to_hf_json(const ModelConfig& config);

}  // namespace ssmscope::model
