// ssmscope-cli analyze: the per-layer report of docs/numbers.md §1 on a probe text.
#include "analysis/checkpoint_report.hpp"
#include "app/cli/checkpoint_args.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/exit_codes.hpp"
#include "app/cli/output.hpp"
#include "app/cli/probe_args.hpp"
#include "app/usecase/report_document.hpp"

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
        usecase::AnalyseRequest request = analyse_request(args->ckpt, args->probe);
        if (args->tol > 0)
            request.tol = args->tol;
        request.cross_check_pairs = args->cross_checks;
        request.gramian_pairs = args->gramians;
        request.keep_layers = false;  // the report is all the CLI writes
        const usecase::Analysis a = usecase::analyse(
            request,
            [](const std::string& stage, double f) { print_progress("analyze", stage, f); },
            nullptr, print_warning);
        const std::string out =
            args->ckpt.json ? usecase::analyze_json(a) : usecase::analyze_text(a);
        emit(args->ckpt.out, out);
        return kOk;
    };
}

}  // namespace ssmscope::cli
