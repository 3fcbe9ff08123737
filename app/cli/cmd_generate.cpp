// ssmscope-cli generate: greedy or temperature sampling through the recurrent path.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/cli/checkpoint_args.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/exit_codes.hpp"
#include "app/cli/output.hpp"
#include "base/error.hpp"
#include "base/str.hpp"
#include "model/run/generate.hpp"

namespace ssmscope::cli {

Command add_generate(CLI::App& app) {
    struct Args {
        CheckpointArgs ckpt;
        std::string tokens, text;
        model::GenerateOptions options;
        bool no_stop = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand(
        "generate", "Continue a prompt, greedy or sampled, through the recurrent path");
    add_checkpoint_args(*cmd, args->ckpt);
    auto* tokens = cmd->add_option("--tokens", args->tokens, "prompt as token ids, e.g. 1,2,3");
    auto* text = cmd->add_option("--text,--prompt", args->text, "prompt text");
    tokens->excludes(text);
    cmd->add_option("--max-tokens", args->options.max_tokens, "tokens to generate")
        ->capture_default_str();
    cmd->add_option("--temperature", args->options.temperature, "0 = greedy")
        ->capture_default_str();
    cmd->add_option("--top-k", args->options.top_k, "sample among the k most likely (0 = all)")
        ->capture_default_str();
    cmd->add_option("--seed", args->options.seed, "random seed for sampling")
        ->capture_default_str();
    cmd->add_flag("--no-stop", args->no_stop, "keep going after the end-of-text token");
    return [args, text] {
        const OpenCheckpoint ckpt = open_checkpoint(args->ckpt);
        const auto prompt = input_tokens(ckpt, args->tokens, args->text, text->count() > 0);
        model::GenerateOptions o = args->options;
        if (!args->no_stop)
            o.stop_token = ckpt.tokenizer->eos_id();
        o.vocab_limit = std::min(ckpt.tokenizer->vocab_size(), ckpt.loaded.config.padded_vocab());
        const bool stream = !args->ckpt.json && args->ckpt.out.empty();
        // A model given --tokens without a tokenizer that can decode (a large vocabulary with
        // none): the ids are the output, said once on stderr, rather than no output at all.
        bool ids_only = false;
        try {
            (void)ckpt.tokenizer->decode(prompt);
        } catch (const InputError& e) {
            print_warning(str("the output is printed as token ids: ", e.what()));
            ids_only = true;
        }
        const auto show = [&](const std::vector<std::int64_t>& ids, bool first) {
            if (!ids_only)
                return first ? ckpt.tokenizer->decode(ids)
                             : ckpt.tokenizer->decode_continuation(ids);
            std::string s;
            for (const std::int64_t id : ids)
                s += str(s.empty() && first ? "" : " ", id);
            return s;
        };
        if (stream) {
            const std::string p = show(prompt, true);
            std::fwrite(p.data(), 1, p.size(), stdout);
        }
        const auto r = model::generate(*ckpt.loaded.model, prompt, o, [&](std::int64_t t) {
            if (stream) {
                const std::string s = show(std::vector<std::int64_t>{t}, false);
                std::fwrite(s.data(), 1, s.size(), stdout);
                std::fflush(stdout);
            }
            return true;
        });
        std::fprintf(stderr, "%sgenerate: %zu tokens in %.3f s\n", stream ? "\n" : "",
                     r.tokens.size(), r.seconds);
        if (!stream) {
            nlohmann::ordered_json j;
            j["prompt_tokens"] = prompt;
            j["tokens"] = r.tokens;
            j["text"] = ids_only ? nlohmann::ordered_json()
                                 : nlohmann::ordered_json(ckpt.tokenizer->decode(r.tokens));
            j["seconds"] = r.seconds;
            // A token may end inside a multi-byte character: replace, do not fail.
            emit(args->ckpt.out,
                 j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
        }
        return kOk;
    };
}

}  // namespace ssmscope::cli
