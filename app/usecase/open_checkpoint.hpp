// Opening a checkpoint directory: the model, its tokenizer and the warnings of both, as every
// command that reads a checkpoint needs them. Includes LibTorch (through the model): the Qt code
// reaches it only through analyse.hpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/usecase/checkpoint_summary.hpp"
#include "model/checkpoint/checkpoint.hpp"
#include "model/tokenizer/tokenizer.hpp"

namespace ssmscope::usecase {

struct OpenOptions {
    bool allow_nonfinite = false;  // NaN / Inf weights load with a warning instead of an error
    std::string tokenizer{};  // a tokenizer.json to use instead of the checkpoint's; empty: none
    // Weights as the file stores them, mapped where it can (model::LoadOptions::dtype), for the
    // analysis, which converts one block at a time; otherwise float32, to run the model.
    bool as_stored = false;
};

struct OpenedCheckpoint {
    std::string dir;
    model::LoadedModel loaded;
    std::unique_ptr<model::Tokenizer> tokenizer;
    // The loader's warnings, then the tokenizer's (model::choose_tokenizer).
    std::vector<std::string> warnings;
};

// Throws InputError naming the file and what is wrong (see model::load_checkpoint and
// model::choose_tokenizer).
OpenedCheckpoint open_checkpoint(const std::string& dir, const OpenOptions& options = {});

CheckpointSummary summarise(const OpenedCheckpoint& c);

// The same summary from the checkpoint's headers, config.json and tokenizer alone, without
// reading a weight (model::inspect_checkpoint): what `info` prints, in milliseconds whatever the
// size. The weights' values are not checked (NaN / Inf is found by the commands that load them).
CheckpointSummary describe_checkpoint(const std::string& path, const OpenOptions& options = {});

// Throws InputError when `ids` is empty or holds an id outside the model's embedding rows
// (naming the id and its position).
void check_token_ids(const std::vector<std::int64_t>& ids, const OpenedCheckpoint& c);

}  // namespace ssmscope::usecase
