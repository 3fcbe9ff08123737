// ssmscope-cli lti: analyse one LTI system given as CSV matrices.
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "analysis/csv_matrix.hpp"
#include "analysis/lti_report.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/exit_codes.hpp"
#include "app/cli/output.hpp"
#include "app/report/lti_json.hpp"
#include "app/report/lti_text.hpp"
#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::cli {

namespace {

struct LtiArgs {
    std::string a, b, c, d, out;
    std::optional<double> dt, tol;
    bool json = false, details = false;
};

analysis::Matrix read_optional(const std::string& file) {
    return file.empty() ? analysis::Matrix() : analysis::read_csv_matrix(file);
}

// An error names the matrix (or dt); the user knows it by its file (or flag):
// "B3.csv: B must have ...", "--dt: the sample time ...".
analysis::StateSpace load(const LtiArgs& args) {
    analysis::Matrix A = analysis::read_csv_matrix(args.a);
    analysis::Matrix B = read_optional(args.b), C = read_optional(args.c),
                     D = read_optional(args.d);
    if (!args.d.empty() && (args.b.empty() || args.c.empty()))
        throw InputError(str(args.d, ": D needs both --b and --c"));
    try {
        return analysis::make_ss(std::move(A), std::move(B), std::move(C), std::move(D),
                                 args.dt.value_or(0.0));
    } catch (const InputError& e) {
        const std::map<std::string, std::string> files{
            {"A", args.a}, {"B", args.b}, {"C", args.c}, {"D", args.d}, {"dt", "--dt"}};
        const auto file = files.find(e.subject());
        if (file == files.end() || file->second.empty())
            throw;
        throw InputError(str(file->second, ": ", e.what()), e.subject());
    }
}

int run(const LtiArgs& args) {
    if (args.tol && (!std::isfinite(*args.tol) || *args.tol <= 0.0 || *args.tol >= 1.0))
        throw InputError(str("--tol: a relative tolerance must lie in (0, 1), got ", *args.tol));

    const analysis::StateSpace sys = load(args);
    const analysis::LtiReport report = analysis::analyze_lti(sys, {.tol = args.tol});
    if (args.json || !args.out.empty())
        emit(args.out, report::lti_json(report, args.details).dump(2) + "\n");
    else
        emit("", report::lti_text(report));
    return kOk;
}

}  // namespace

Command add_lti(CLI::App& app) {
    auto args = std::make_shared<LtiArgs>();
    CLI::App* cmd = app.add_subcommand(
        "lti",
        "Analyse one LTI system given as CSV matrices (one row per line, comma-separated): "
        "eigenvalues and stability, controllability and observability ranks (staircase form, "
        "with SVD and PBH beside it), Gramians, Hankel singular values, minimal order.");
    cmd->add_option("--a", args->a, "state matrix A (n x n), CSV file")->required();
    cmd->add_option("--b", args->b, "input matrix B (n x m), CSV file");
    cmd->add_option("--c", args->c, "output matrix C (p x n), CSV file");
    cmd->add_option("--d", args->d, "feedthrough matrix D (p x m), CSV file");
    cmd->add_option("--dt", args->dt,
                    "sample time: the system is discrete-time with this period "
                    "(python-control's convention; 0 or absent: continuous time)");
    cmd->add_option("--tol", args->tol,
                    "relative tolerance of every rank decision, in (0, 1) (default: sqrt(eps) = "
                    "1.5e-8 for the staircase, PBH and minimal order, max(rows, cols) eps for "
                    "the SVD of the Krylov matrix)");
    cmd->add_flag("--json", args->json, "JSON on stdout instead of text");
    cmd->add_flag("--details", args->details,
                  "with --json: add a \"details\" key (rank evidence, margins, residuals)");
    cmd->add_option("--out", args->out, "write the JSON report to this file (atomically)");
    return [args] { return run(*args); };
}

}  // namespace ssmscope::cli
