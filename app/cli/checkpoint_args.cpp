#include "app/cli/checkpoint_args.hpp"

#include <cstdio>
#include <sstream>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/tokenizer/load_tokenizer.hpp"

namespace ssmscope::cli {

void add_checkpoint_args(CLI::App& cmd, CheckpointArgs& args) {
    cmd.add_option("CKPT", args.dir, "checkpoint directory (config.json + *.safetensors)")
        ->required();
    cmd.add_flag("--allow-nonfinite", args.allow_nonfinite,
                 "load weights holding NaN or Inf (a warning instead of an error)");
    cmd.add_flag("--json", args.json, "JSON on stdout instead of text");
    cmd.add_option("--out", args.out, "write the result to FILE (atomically)");
}

OpenCheckpoint open_checkpoint(const CheckpointArgs& args) {
    OpenCheckpoint c;
    c.loaded = model::load_checkpoint(args.dir, {.allow_nonfinite = args.allow_nonfinite});
    for (const std::string& w : c.loaded.warnings) {
        std::fprintf(stderr, "warning: %s\n", w.c_str());
    }
    c.tokenizer = model::load_tokenizer(args.dir);
    const std::int64_t vocab = c.loaded.config.padded_vocab();
    if (c.tokenizer->vocab_size() > vocab) {
        std::fprintf(stderr,
                     "warning: the tokenizer (%s) has ids up to %lld, beyond the %lld rows "
                     "of the embedding\n",
                     c.tokenizer->description().c_str(),
                     static_cast<long long>(c.tokenizer->vocab_size() - 1),
                     static_cast<long long>(vocab));
    }
    return c;
}

std::vector<std::int64_t> input_tokens(const OpenCheckpoint& ckpt, const std::string& tokens,
                                       const std::string& text, bool text_given) {
    const std::int64_t vocab = ckpt.loaded.config.padded_vocab();
    std::vector<std::int64_t> ids;
    if (!tokens.empty()) {
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
    } else if (text_given) {
        ids = ckpt.tokenizer->encode(text);
    } else {
        throw InputError("give the input as --tokens 1,2,3 or --text STR");
    }
    if (ids.empty())
        throw InputError("the input has no tokens");
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] < 0 || ids[i] >= vocab) {
            throw InputError(str("token ", ids[i], " at position ", i,
                                 " is outside the model's vocabulary [0, ", vocab, ")"));
        }
    }
    return ids;
}

}  // namespace ssmscope::cli
