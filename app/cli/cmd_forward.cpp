// ssmscope-cli forward: logits of every position, {"logits": [[…], …]} (float32 values).
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "app/cli/checkpoint_args.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/exit_codes.hpp"
#include "app/cli/output.hpp"
#include "base/str.hpp"

namespace ssmscope::cli {

Command add_forward(CLI::App& app) {
    struct Args {
        CheckpointArgs ckpt;
        std::string tokens, text;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("forward", "Logits of every position of an input (float32)");
    add_checkpoint_args(*cmd, args->ckpt);
    auto* tokens = cmd->add_option("--tokens", args->tokens, "token ids, e.g. 1,2,3");
    auto* text =
        cmd->add_option("--text", args->text, "text, tokenized with the checkpoint's tokenizer");
    tokens->excludes(text);
    return [args, text] {
        const OpenCheckpoint ckpt = open_checkpoint(args->ckpt);
        const auto ids = input_tokens(ckpt, args->tokens, args->text, text->count() > 0);
        torch::NoGradGuard no_grad;
        ckpt.loaded.model->eval();
        const torch::Tensor logits = ckpt.loaded.model->forward(torch::tensor(ids).unsqueeze(0))
                                         .squeeze(0)
                                         .to(torch::kFloat32)
                                         .contiguous();
        const float* p = logits.data_ptr<float>();
        const std::int64_t rows = logits.size(0), cols = logits.size(1);
        std::string text_out;
        if (args->ckpt.json || !args->ckpt.out.empty()) {
            nlohmann::ordered_json j;
            j["logits"] = nlohmann::ordered_json::array();
            for (std::int64_t r = 0; r < rows; ++r) {
                j["logits"].push_back(std::vector<float>(p + r * cols, p + (r + 1) * cols));
            }
            text_out = j.dump() + "\n";
        } else {
            text_out = str("position  token  argmax  max logit   (", rows, " x ", cols,
                           " logits; --json prints them all)\n");
            for (std::int64_t r = 0; r < rows; ++r) {
                const std::int64_t best = logits[r].argmax().item<std::int64_t>();
                text_out += str(r, "  ", ids[static_cast<std::size_t>(r)], "  ", best, "  ",
                                p[r * cols + best], "\n");
            }
        }
        emit(args->ckpt.out, text_out);
        return kOk;
    };
}

}  // namespace ssmscope::cli
