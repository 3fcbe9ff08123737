// File names of a Hugging Face style checkpoint directory: one model.safetensors, or shards
// model-00001-of-00003.safetensors ... listed by model.safetensors.index.json.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ssmscope::model {

inline constexpr std::string_view kSingleCheckpointFile = "model.safetensors";
inline constexpr std::string_view kCheckpointIndexFile = "model.safetensors.index.json";

// "model-00002-of-00003.safetensors" for k = 2, n = 3 (1-based, five digits as transformers
// writes).
std::string shard_file_name(std::size_t k, std::size_t n);

// True for the names above and for any shard name of that pattern: the files a save owns, which
// a later save may replace or remove. Other files in the directory are never touched.
bool is_checkpoint_file_name(std::string_view name);

}  // namespace ssmscope::model
