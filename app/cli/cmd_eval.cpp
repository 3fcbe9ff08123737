// ssmscope-cli eval: perplexity and tokens/s on a text file.
#include <cmath>
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
#include "model/run/by_position.hpp"
#include "model/run/evaluate.hpp"

namespace ssmscope::cli {

namespace {

bool print_eval_progress(std::int64_t done, std::int64_t total) {
    std::fprintf(stderr, "\reval: %lld / %lld tokens", static_cast<long long>(done),
                 static_cast<long long>(total));
    return true;
}

int by_position_report(const CheckpointArgs& args, const std::string& text_file,
                       const std::vector<std::int64_t>& ids, std::int64_t bin,
                       const OpenCheckpoint& ckpt) {
    const model::PositionCurve c =
        model::evaluate_by_position(*ckpt.loaded.model, ids, bin, print_eval_progress);
    std::fprintf(stderr, "\n");
    std::string out;
    if (args.json) {
        nlohmann::ordered_json j;
        j["text_file"] =
            text_file.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(text_file);
        j["tokens"] = ids.size();
        j["predicted"] = c.predicted;
        j["nll_mean"] = c.nll_mean;
        j["perplexity"] = std::exp(c.nll_mean);
        j["seconds"] = c.seconds;
        j["by_position"] = {{"bin", c.bin},
                            {"first_non_finite", c.first_non_finite < 0
                                                     ? nlohmann::ordered_json(nullptr)
                                                     : nlohmann::ordered_json(c.first_non_finite)},
                            {"start", c.start},
                            {"count", c.count},
                            {"loss", c.loss},
                            {"state_norm", c.state_norm}};
        out = j.dump(2) + "\n";
    } else {
        out = str("perplexity ", std::exp(c.nll_mean), " over ", c.predicted,
                  " predicted tokens, one sequence from a zero state\n",
                  c.first_non_finite < 0
                      ? std::string()
                      : str("the loss or a state stops being finite at position ",
                            c.first_non_finite, " (a diverging state overflows)\n"),
                  "\npositions        loss   perplexity   state norm per layer\n");
        for (std::size_t b = 0; b < c.start.size(); ++b) {
            char line[96];
            std::snprintf(line, sizeof line, "%6lld-%-6lld %7.4f %12.4g  ",
                          static_cast<long long>(c.start[b]),
                          static_cast<long long>(c.start[b] + c.count[b] - 1), c.loss[b],
                          std::exp(c.loss[b]));
            out += line;
            for (double s : c.state_norm[b])
                out += str(" ", s);
            out += "\n";
        }
    }
    emit(args.out, out);
    return kOk;
}

}  // namespace

Command add_eval(CLI::App& app) {
    struct Args {
        CheckpointArgs ckpt;
        std::string text_file, tokens;
        std::int64_t context = 1024;
        bool by_position = false;
        std::int64_t bin = 64;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("eval", "Perplexity and tokens/s on a text file");
    add_checkpoint_args(*cmd, args->ckpt);
    auto* file = cmd->add_option("--text-file", args->text_file, "UTF-8 text to score");
    auto* tokens = cmd->add_option("--tokens", args->tokens, "token ids to score, e.g. 1,2,3");
    file->excludes(tokens);
    auto* context = cmd->add_option("--context", args->context,
                                    "tokens per window (each starts from a zero state)")
                        ->capture_default_str();
    auto* by_position = cmd->add_flag(
        "--by-position", args->by_position,
        "the loss and every layer's state norm per position, the whole text as one sequence "
        "from a zero state (token by token), averaged over bins of --bin positions");
    by_position->excludes(context);
    cmd->add_option("--bin", args->bin, "positions per bin of --by-position")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
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
        if (args->by_position)
            return by_position_report(args->ckpt, args->text_file, ids, args->bin, ckpt);
        const auto r = model::evaluate(*ckpt.loaded.model, ids, args->context, print_eval_progress);
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
