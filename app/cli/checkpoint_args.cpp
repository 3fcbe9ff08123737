#include "app/cli/checkpoint_args.hpp"

#include <cstdio>
#include <sstream>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::cli {

void add_checkpoint_args(CLI::App& cmd, CheckpointArgs& args) {
    cmd.add_option("CKPT", args.dir, "checkpoint directory (config.json + *.safetensors)")
        ->required();
    cmd.add_flag("--allow-nonfinite", args.allow_nonfinite,
                 "load weights holding NaN or Inf (a warning instead of an error)");
    cmd.add_option("--tokenizer", args.tokenizer,
                   "tokenizer.json to use instead of the checkpoint's own");
    cmd.add_flag("--json", args.json, "JSON on stdout instead of text");
    cmd.add_option("--out", args.out, "write the result to FILE (atomically)");
}

void print_warning(const std::string& warning) {
    std::fprintf(stderr, "warning: %s\n", warning.c_str());
}

OpenCheckpoint open_checkpoint(const CheckpointArgs& args) {
    OpenCheckpoint c = usecase::open_checkpoint(
        args.dir, {.allow_nonfinite = args.allow_nonfinite, .tokenizer = args.tokenizer});
    for (const std::string& w : c.warnings)
        print_warning(w);
    return c;
}

std::vector<std::int64_t> parse_token_ids(const std::string& tokens) {
    std::vector<std::int64_t> ids;
    std::stringstream ss(tokens);
    std::string item;
    while (std::getline(ss, item, ',')) {
        std::size_t used = 0;
        long long v = -1;
        try {
            v = std::stoll(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != item.size() || item.empty()) {
            throw InputError(str("--tokens: '", item, "' is not an integer token id"));
        }
        ids.push_back(v);
    }
    return ids;
}

std::vector<std::int64_t> input_tokens(const OpenCheckpoint& ckpt, const std::string& tokens,
                                       const std::string& text, bool text_given) {
    std::vector<std::int64_t> ids;
    if (!tokens.empty()) {
        ids = parse_token_ids(tokens);
    } else if (text_given) {
        ids = ckpt.tokenizer->encode(text);
    } else {
        throw InputError("give the input as --tokens 1,2,3 or --text STR");
    }
    usecase::check_token_ids(ids, ckpt);
    return ids;
}

}  // namespace ssmscope::cli
