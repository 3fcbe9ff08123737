// ssmscope-cli finetune: trains only the named blocks of a checkpoint, optionally through LoRA
// adapters that are merged into the weights on save.
#include "app/cli/commands.hpp"
#include "app/cli/distributed_args.hpp"
#include "app/cli/launch_workers.hpp"
#include "app/cli/probe_args.hpp"
#include "app/cli/train_args.hpp"
#include "app/usecase/layer_list.hpp"
#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::cli {

Command add_finetune(CLI::App& app) {
    struct Args {
        model::TrainOptions options;
        DistributedArgs dist;
        std::string checkpoint, out, blocks, targets;
        bool quiet = false;
    };
    auto args = std::make_shared<Args>();
    args->options.steps = 200;
    args->options.lr = 1e-3;
    args->options.min_lr = 1e-4;
    args->options.warmup = 10;
    CLI::App* cmd = app.add_subcommand(
        "finetune", "Fine-tune the named blocks of a checkpoint (fully or with LoRA)");
    // A later flag overrides an earlier one, so scripts can append to a base command line.
    cmd->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    cmd->footer(
        "Only the parameters of --blocks train; with --lora-rank only LoRA adapters on "
        "their projections (in_proj, x_proj, out_proj; and the embeddings when named in "
        "--lora-targets) train. Saved models have the adapters merged: they load as "
        "ordinary checkpoints. Continue an interrupted run with `train --resume OUT`.\n"
        "Exit codes as `train`.");
    cmd->add_option("CKPT", args->checkpoint, "checkpoint directory")->required();
    cmd->add_option("--blocks", args->blocks, "layers to fine-tune, e.g. 2,3 or 0-1")->required();
    cmd->add_option("--lora-rank", args->options.lora_rank, "LoRA rank (0: train the blocks fully)")
        ->capture_default_str();
    cmd->add_option("--lora-alpha", args->options.lora_alpha, "LoRA scale alpha (update α/r·BA)")
        ->capture_default_str();
    cmd->add_option("--lora-targets", args->targets,
                    "comma-separated: in_proj, x_proj, out_proj, embeddings");
    cmd->add_option("--out", args->out, "run directory (absent or empty)")->required();
    cmd->add_flag("--quiet", args->quiet, "print only the final line on stderr");
    add_train_args(*cmd, args->options);
    cmd->get_option("--corpus")->required();
    add_distributed_args(*cmd, args->dist);
    return [args, cmd] {
        check_distributed_args(*cmd, args->dist, args->options.batch);
        args->options.base_checkpoint = args->checkpoint;
        args->options.blocks = usecase::parse_layer_list(args->blocks, "--blocks");
        if (args->options.blocks.empty())
            throw InputError("--blocks: name at least one layer");
        std::string rest = args->targets;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            args->options.lora_targets.push_back(rest.substr(0, comma));
            rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
        }
        if (!args->options.lora_targets.empty() && args->options.lora_rank == 0)
            throw InputError("--lora-targets needs --lora-rank");
        if (args->dist.nproc > 1)
            return launch_workers(args->dist.nproc, args->dist.timeout_s);
        return run_distributed(
            [&] {
                auto group = join_run(args->dist);
                return model::Trainer::start(args->options, {}, args->out, group);
            },
            args->quiet);
    };
}

}  // namespace ssmscope::cli
