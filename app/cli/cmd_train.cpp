// ssmscope-cli train: a new model of one architecture on a corpus, or --resume a run.
#include <cmath>
#include <cstdio>

#include "app/cli/commands.hpp"
#include "app/cli/distributed_args.hpp"
#include "app/cli/launch_workers.hpp"
#include "app/cli/train_args.hpp"
#include "app/usecase/train_request.hpp"
#include "base/error.hpp"
#include "base/str.hpp"
#include "model/config/model_config.hpp"

namespace ssmscope::cli {

Command add_train(CLI::App& app) {
    struct Args {
        model::TrainOptions options;
        DistributedArgs dist;
        std::string arch, out, resume, options_file;
        model::ModelSizes sizes;
        bool quiet = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand(
        "train", "Train a new model (--arch, --corpus, --out) or continue one (--resume DIR)");
    // A later flag overrides an earlier one, so scripts can append to a base command line.
    cmd->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    cmd->footer(
        "Exit codes: 0 finished, 1 the loss or gradient became NaN/Inf (the last good "
        "checkpoint is kept) or a worker of a multi-process run failed, 2 bad input, 130 "
        "stopped by Ctrl-C after saving a checkpoint.\nOUT/metrics.jsonl receives one JSON "
        "object per step, evaluation and checkpoint.\nWith --nproc N or --world-size W, "
        "--batch is the global batch, split evenly over the processes; rank 0 writes OUT.\n"
        "--options FILE takes every training option from FILE, a JSON object of the fields of "
        "OUT/train.json (absent fields keep their defaults; a run's train.json repeats that "
        "run). Beside it only --out, --arch and the model sizes, --nproc and the other "
        "process flags, and --quiet are accepted: the training flags (--corpus, --steps, "
        "--lr, ...) are refused rather than merged, so that FILE is the whole schedule. A "
        "FILE that names a base_checkpoint fine-tunes it (then without --arch).");
    cmd->add_option("--arch", args->arch, "mamba, sc-mamba, so-mamba, mamba2 or st-mamba2");
    cmd->add_option("--out", args->out, "run directory (absent or empty)");
    cmd->add_option("--resume", args->resume, "continue the run in this directory");
    cmd->add_option("--options", args->options_file,
                    "JSON file of the training options (as OUT/train.json); see below");
    cmd->add_option("--d-model", args->sizes.d_model, "model width")->capture_default_str();
    cmd->add_option("--n-layer", args->sizes.n_layer, "layers")->capture_default_str();
    cmd->add_option("--d-state", args->sizes.d_state, "state size N")->capture_default_str();
    cmd->add_option("--expand", args->sizes.expand, "d_inner / d_model")->capture_default_str();
    cmd->add_option("--headdim", args->sizes.headdim, "channels per head (mamba2, st-mamba2)")
        ->capture_default_str();
    cmd->add_option("--ngroups", args->sizes.ngroups, "B/C groups (mamba2, st-mamba2)")
        ->capture_default_str();
    cmd->add_option("--d-conv", args->sizes.d_conv, "causal convolution width")
        ->capture_default_str();
    cmd->add_flag("--quiet", args->quiet, "print only the final line on stderr");
    const std::vector<CLI::Option*> train_flags = add_train_args(*cmd, args->options);
    add_distributed_args(*cmd, args->dist);
    return [args, cmd, train_flags] {
        if (!args->options_file.empty()) {
            if (!args->resume.empty())
                throw InputError(
                    "--options cannot be combined with --resume: the run keeps its "
                    "settings (" +
                    args->resume + "/train.json)");
            for (const CLI::Option* flag : train_flags) {
                if (flag->count() > 0) {
                    throw InputError(str(flag->get_name(),
                                         " cannot be combined with --options: ", args->options_file,
                                         " holds every training option; ", "change it there"));
                }
            }
            args->options = model::read_train_options(args->options_file);
            if (!args->options.base_checkpoint.empty() && !args->arch.empty()) {
                throw InputError(str("--arch cannot be combined with ", args->options_file,
                                     ": it fine-tunes ", args->options.base_checkpoint,
                                     ", whose architecture is its own"));
            }
        }
        check_distributed_args(*cmd, args->dist, args->resume.empty() ? args->options.batch : 0);
        if (args->dist.nproc > 1)
            return launch_workers(args->dist.nproc, args->dist.timeout_s);
        if (!args->resume.empty()) {
            for (const char* flag : {"--arch", "--out", "--corpus"}) {
                if (cmd->count(flag) > 0) {
                    throw InputError(str(flag, " cannot be combined with --resume: the run keeps ",
                                         "its settings (", args->resume, "/train.json)"));
                }
            }
            const std::int64_t steps = cmd->count("--steps") > 0 ? args->options.steps : 0;
            return run_distributed(
                [&] {
                    auto group = join_run(args->dist);
                    return model::Trainer::resume(args->resume, steps, group);
                },
                args->quiet);
        }
        if (args->out.empty() || args->options.corpus.empty() ||
            (args->arch.empty() && args->options.base_checkpoint.empty()))
            throw InputError(
                "train needs --arch, --corpus and --out, or --options FILE and --out (or "
                "--resume DIR)");
        if (!args->options.base_checkpoint.empty()) {  // a fine-tuning --options FILE
            return run_distributed(
                [&] {
                    auto group = join_run(args->dist);
                    return model::Trainer::start(args->options, {}, args->out, group);
                },
                args->quiet);
        }
        const auto arch = model::parse_arch(args->arch);
        if (!arch) {
            throw InputError(str("--arch ", args->arch,
                                 ": expected mamba, sc-mamba, so-mamba, mamba2 or st-mamba2"));
        }
        args->sizes.arch = *arch;
        const model::ModelConfig c = model::config_from_sizes(args->sizes);
        return run_distributed(
            [&] {
                auto group = join_run(args->dist);
                return model::Trainer::start(args->options, c, args->out, group);
            },
            args->quiet);
    };
}

}  // namespace ssmscope::cli
