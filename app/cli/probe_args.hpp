// The probe of `analyze` and `verify` (--text, --text-file, --tokens, or the bundled
// samples/probe.txt) and the --layers selection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/cli/checkpoint_args.hpp"
#include "app/usecase/analyse.hpp"

namespace ssmscope::cli {

struct ProbeArgs {
    std::string text, text_file, tokens, layers;
    std::string precision = "auto";
    CLI::Option* text_option = nullptr;
};

void add_probe_args(CLI::App& cmd, ProbeArgs& args);

// The text of --text (source "--text"), of --text-file, or of the bundled probe (source: the
// file's path). Throws InputError for a file that cannot be read.
usecase::ProbeText probe_text(const ProbeArgs& args);

// The request of `analyze` and `verify`: the checkpoint and its --tokenizer, the probe (as ids
// with --tokens), the --layers selection.
usecase::AnalyseRequest analyse_request(const CheckpointArgs& ckpt, const ProbeArgs& probe);

// Reports "\r<command>: <stage> [xx%]" on stderr.
void print_progress(const char* command, const std::string& stage, double fraction);

}  // namespace ssmscope::cli
