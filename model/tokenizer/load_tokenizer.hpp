// Picks the tokenizer of a checkpoint directory.
#pragma once

#include <filesystem>
#include <memory>

#include "model/tokenizer/tokenizer.hpp"

namespace ssmscope::model {

// The tokenizer.json in `checkpoint_dir` when there is one (load_tokenizer_json, whose errors
// propagate), else the built-in byte-level tokenizer.
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& checkpoint_dir);

}  // namespace ssmscope::model
