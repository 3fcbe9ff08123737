// ssmscope-cli eval: perplexity and tokens/s on a text file.
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/cli/checkpoint_args.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/exit_codes.hpp"
#include "app/cli/output.hpp"
#include "base/error.hpp"
#include "base/str.hpp"
#include "model/run/evaluate.hpp"

namespace ssmscope::cli {

Command add_eval(CLI::App& app) {
    struct Args {
        CheckpointArgs ckpt;
        std::string text_file, tokens;
        std::int64_t context = 1024;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("eval", "Perplexity and tokens/s on a text file");
    add_checkpoint_args(*cmd, args->ckpt);
    auto* file = cmd->add_option("--text-file", args->text_file, "UTF-8 text to score");
    auto* tokens = cmd->add_option("--tokens", args->tokens, "token ids to score, e.g. 1,2,3");
    file->excludes(tokens);
    cmd->add_option("--context", args->context, "tokens per window (each starts from a zero state)")
        ->capture_default_str();
    return [args] {
        if (args->tokens.empty() && args->text_file.empty())
            throw InputError("give the text as --text-file FILE or the ids as --tokens 1,2,3");
        std::ostringstream text;
        if (args->tokens.empty()) {
            std::ifstream in(args->text_file, std::ios::binary);
            if (!in)
                throw InputError(str(args->text_file, ": cannot open the text file"));
            text << in.rdbuf();
        }
        const OpenCheckpoint ckpt = open_checkpoint(args->ckpt);
        const std::vector<std::int64_t> ids = args->tokens.empty()
                                                  ? ckpt.tokenizer->encode(text.str())
                                                  : parse_token_ids(args->tokens);
        usecase::check_token_ids(ids, ckpt);
        const auto r = model::evaluate(
            *ckpt.loaded.model, ids, args->context, [](std::int64_t done, std::int64_t total) {
                std::fprintf(stderr, "\reval: %lld / %lld tokens", static_cast<long long>(done),
                             static_cast<long long>(total));
                return true;
            });
        std::fprintf(stderr, "\n");
        std::string out;
        if (args->ckpt.json) {
            nlohmann::ordered_json j;
            j["text_file"] = args->tokens.empty() ? nlohmann::ordered_json(args->text_file)
                                                  : nlohmann::ordered_json(nullptr);
            j["tokens"] = ids.size();
            j["predicted"] = r.predicted;
            j["context"] = args->context;
            j["nll_mean"] = r.nll_mean;
            j["perplexity"] = r.perplexity;
            j["seconds"] = r.seconds;
            j["tokens_per_second"] = r.tokens_per_second;
            out = j.dump(2) + "\n";
        } else {
            std::ostringstream os;
            os.precision(6);  // for reading; --json keeps every digit
            os << "perplexity " << r.perplexity << " (" << r.nll_mean << " nats/token over "
               << r.predicted << " predicted tokens, windows of " << args->context << ")\n"
               << "speed      " << r.tokens_per_second << " tokens/s (" << r.seconds << " s)\n";
            out = os.str();
        }
        emit(args->ckpt.out, out);
        return kOk;
    };
}

}  // namespace ssmscope::cli
