// The Hugging Face config.json that a GGUF file's metadata and tensors imply, so that one parser
// (parse_config_text) reads every format.
#pragma once

#include <string>

#include "model/io/gguf/gguf_file.hpp"

namespace ssmscope::model {

// `general.architecture` is "mamba2" (else "mamba"); refuses anything else.
bool gguf_is_mamba2(const GgufFile&);

// config.json text (model_type "mamba" or "mamba2"). Throws InputError naming the file and the
// metadata key when a size is missing, of the wrong type, or inconsistent with another.
std::string gguf_config_text(const GgufFile&);

}  // namespace ssmscope::model
