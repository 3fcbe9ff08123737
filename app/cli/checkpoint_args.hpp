// The options every checkpoint command shares (the CKPT directory, --allow-nonfinite,
// --tokenizer, --json, --out) and opening the checkpoint with its tokenizer. Warnings go to
// stderr.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/usecase/open_checkpoint.hpp"

namespace ssmscope::cli {

struct CheckpointArgs {
    std::string dir;
    std::string out;
    std::string tokenizer;  // --tokenizer FILE
    bool allow_nonfinite = false;
    bool json = false;
};

void add_checkpoint_args(CLI::App& cmd, CheckpointArgs& args);

using OpenCheckpoint = usecase::OpenedCheckpoint;

// "warning: ..." on stderr.
void print_warning(const std::string& warning);

// usecase::open_checkpoint with the warnings printed on stderr.
OpenCheckpoint open_checkpoint(const CheckpointArgs& args);

// The ids of "--tokens 1,2,3"; throws InputError naming an item that is not an integer.
std::vector<std::int64_t> parse_token_ids(const std::string& tokens);

// "--tokens 1,2,3" or "--text STR": ids checked against the model's vocabulary.
std::vector<std::int64_t> input_tokens(const OpenCheckpoint& ckpt, const std::string& tokens,
                                       const std::string& text, bool text_given);

}  // namespace ssmscope::cli
