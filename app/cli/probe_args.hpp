// The probe text of `analyze` and `verify` (--text, --text-file, or the bundled
// samples/probe.txt) and the --layers selection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/cli/checkpoint_args.hpp"

namespace ssmscope::cli {

struct ProbeArgs {
    std::string text, text_file, layers;
    CLI::Option* text_option = nullptr;
};

void add_probe_args(CLI::App& cmd, ProbeArgs& args);

struct Probe {
    std::vector<std::int64_t> tokens;
    std::string source;  // "--text", the file's path, or the bundled probe's path
};

// Throws InputError for an unreadable file, an empty probe, or a token outside the vocabulary.
Probe probe_tokens(const OpenCheckpoint& ckpt, const ProbeArgs& args);

// Reports "\r<command>: <stage> [xx%]" on stderr.
bool print_progress(const char* command, const std::string& stage, double fraction);

}  // namespace ssmscope::cli
