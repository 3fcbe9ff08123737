// ssmscope-cli analyze: the per-layer report of docs/numbers.md §1 on a probe text.
#include "analysis/checkpoint_report.hpp"
#include "app/cli/checkpoint_args.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/exit_codes.hpp"
#include "app/cli/output.hpp"
#include "app/cli/probe_args.hpp"
#include "app/usecase/report_document.hpp"
#include "app/usecase/trace_export.hpp"

namespace ssmscope::cli {

Command add_analyze(CLI::App& app) {
    struct Args {
        CheckpointArgs ckpt;
        ProbeArgs probe;
        double tol = 0;
        analysis::Index cross_checks = analysis::ReportOptions{}.cross_check_pairs,
                        gramians = analysis::ReportOptions{}.gramian_pairs;
        analysis::Index impulse_token = -1, impulse_unit = 0;
        double memory_tol = analysis::ImpulseOptions{}.tol;
        std::string trace_out;
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
    cmd->add_option("--impulse-token", args->impulse_token,
                    "probe token (0-based) the units are frozen at for the impulse responses and "
                    "memory horizons (default: the last)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--impulse-unit", args->impulse_unit,
                    "the channel or head whose kernel the report carries (impulse_response)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--memory-tol", args->memory_tol,
                    "memory horizon: the kernel stays below this fraction of its peak")
        ->capture_default_str()
        ->check(CLI::Range(1e-300, 0.999999));
    cmd->add_option("--trace-out", args->trace_out,
                    "write the probe's record to FILE.safetensors (per layer Δ_t, b_t, c_t, A and "
                    "the eigenvalues of every unit; tokens, hidden-state norms), atomically");
    return [args] {
        usecase::AnalyseRequest request = analyse_request(args->ckpt, args->probe);
        request.impulse_token = args->impulse_token;
        request.impulse_unit = args->impulse_unit;
        request.memory_tol = args->memory_tol;
        if (args->tol > 0)
            request.tol = args->tol;
        request.cross_check_pairs = args->cross_checks;
        request.gramian_pairs = args->gramians;
        request.keep_layers = false;  // the report is all the CLI writes
        usecase::TraceExport trace;
        usecase::OnLayer collect;
        if (!args->trace_out.empty())
            collect = [&](const usecase::LayerDone& d) { trace.add(d.layer, d.report); };
        const usecase::Analysis a = usecase::analyse(
            request,
            [](const std::string& stage, double f) { print_progress("analyze", stage, f); },
            nullptr, print_warning, collect);
        if (!args->trace_out.empty())
            trace.write(args->trace_out, a.trace, args->ckpt.dir);
        const std::string out =
            args->ckpt.json ? usecase::analyze_json(a) : usecase::analyze_text(a);
        emit(args->ckpt.out, out);
        return kOk;
    };
}

}  // namespace ssmscope::cli
