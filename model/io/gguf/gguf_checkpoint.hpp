// GGUF files (llama.cpp) of the `mamba` and `mamba2` architectures, as a checkpoint: tensors
// mapped back onto the Hugging Face names, configuration and tokenizer from the metadata.
#pragma once

#include <filesystem>

#include "model/io/checkpoint_source.hpp"

namespace ssmscope::model {

CheckpointSource open_gguf_checkpoint(const std::filesystem::path& file);

}  // namespace ssmscope::model
