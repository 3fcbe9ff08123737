// GGUF files (llama.cpp) of the `mamba` and `mamba2` architectures, as a checkpoint: tensors
// mapped back onto the Hugging Face names and shapes (gguf_names.hpp) and read as float32 whatever
// ggml type stores them (ggml_dequant.hpp), configuration (gguf_config.hpp) and tokenizer
// (gguf_tokenizer.hpp) from the metadata.
#pragma once

#include <filesystem>

#include "model/io/checkpoint_source.hpp"

namespace ssmscope::model {

// Throws InputError naming the file and the field or tensor for anything GgufFile refuses, an
// architecture other than mamba / mamba2, missing or inconsistent sizes, two GGUF tensors that map
// to one Hugging Face name.
CheckpointSource open_gguf_checkpoint(const std::filesystem::path& file);

}  // namespace ssmscope::model
