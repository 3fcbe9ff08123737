// ssmscope-cli analyze: the per-layer report of docs/numbers.md §1 on a probe text.
#include <nlohmann/json.hpp>

#include "analysis/checkpoint_report.hpp"
#include "base/str.hpp"
#include "app/cli/checkpoint_args.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/exit_codes.hpp"
#include "app/cli/output.hpp"
#include "app/cli/probe_args.hpp"
#include "app/report/checkpoint_json.hpp"
#include "app/report/checkpoint_text.hpp"
#include "model/config/model_config.hpp"
#include "model/nn/language_model.hpp"
#include "model/probe/probe.hpp"

namespace ssmscope::cli {

Command add_analyze(CLI::App& app) {
    struct Args {
        CheckpointArgs ckpt;
        ProbeArgs probe;
        double tol = 0;
        analysis::Index cross_checks = analysis::ReportOptions{}.cross_check_pairs,
                        gramians = analysis::ReportOptions{}.gramian_pairs;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand(
        "analyze", "Per-layer report: stability, ranks, Gramians, Lyapunov exponents, tokens");
    add_checkpoint_args(*cmd, args->ckpt);
    add_probe_args(*cmd, args->probe);
    cmd->add_option("--tol", args->tol, "relative tolerance of every rank decision")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--cross-checks", args->cross_checks,
                    "frozen systems per layer whose rank is also decided by SVD and PBH")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--gramian-samples", args->gramians,
                    "frozen systems per layer whose Gramians and HSV are computed")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    return [args] {
        const OpenCheckpoint ckpt = open_checkpoint(args->ckpt);
        const Probe probe = probe_tokens(ckpt, args->probe);
        const auto progress = [](const std::string& stage, double f) {
            return print_progress("analyze", stage, f);
        };
        const analysis::ProbeTrace trace = model::probe(*ckpt.loaded.model, probe.tokens,
                                                        {.layers = parse_layers(args->probe.layers),
                                                         .perturbations = true,
                                                         .progress = progress});
        analysis::ReportOptions options;
        if (args->tol > 0)
            options.tol = args->tol;
        options.cross_check_pairs = args->cross_checks;
        options.gramian_pairs = args->gramians;
        options.progress = progress;
        const analysis::CheckpointReport report = analysis::analyze_checkpoint(trace, options);
        const model::ModelConfig& c = ckpt.loaded.config;
        std::string out;
        if (args->ckpt.json) {
            nlohmann::ordered_json j;
            j["checkpoint"] = args->ckpt.dir;
            j["architecture"] = model::arch_name(c.arch);
            j["probe"] = {{"source", probe.source}, {"tokens", probe.tokens.size()}};
            j.update(report::checkpoint_json(report));
            out = j.dump(1) + "\n";
        } else {
            out = str(args->ckpt.dir, ": ", model::arch_name(c.arch), ", ", c.n_layer,
                                " layers, d_model ", c.d_model, ", d_state ", c.d_state, "; probe ",
                                probe.source, "\n") +
                  report::checkpoint_text(report);
        }
        emit(args->ckpt.out, out);
        return kOk;
    };
}

}  // namespace ssmscope::cli
