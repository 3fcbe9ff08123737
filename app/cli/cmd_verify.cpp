// ssmscope-cli verify: exit 0 when every required condition holds on every analysed layer, unit
// and probe token; 1 otherwise, naming each failing layer and channel or head.
#include <sstream>

#include "analysis/verify.hpp"
#include "app/cli/checkpoint_args.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/exit_codes.hpp"
#include "app/cli/output.hpp"
#include "app/cli/probe_args.hpp"
#include "app/report/checkpoint_text.hpp"
#include "app/usecase/report_document.hpp"
#include "base/error.hpp"

namespace ssmscope::cli {

Command add_verify(CLI::App& app) {
    struct Args {
        CheckpointArgs ckpt;
        ProbeArgs probe;
        std::string require = "controllable,observable,stable";
        double tol = 0;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand(
        "verify", "Check rank and stability conditions; exit 1 when one fails (for CI gates)");
    add_checkpoint_args(*cmd, args->ckpt);
    add_probe_args(*cmd, args->probe);
    cmd->add_option("--require", args->require,
                    "comma-separated conditions: controllable, observable, stable, divergent "
                    "(the token criterion excludes the convergent scenario)")
        ->capture_default_str();
    cmd->add_option("--tol", args->tol, "relative tolerance of the rank decisions")
        ->check(CLI::PositiveNumber);
    return [args] {
        std::vector<analysis::Condition> required;
        std::stringstream ss(args->require);
        for (std::string word; std::getline(ss, word, ',');)
            required.push_back(analysis::parse_condition(word));
        if (required.empty())
            throw InputError("--require: no condition given");
        usecase::AnalyseRequest request = analyse_request(args->ckpt, args->probe);
        if (args->tol > 0)
            request.tol = args->tol;
        const usecase::Verification v = usecase::verify(
            request, required,
            [](const std::string& stage, double f) { print_progress("verify", stage, f); },
            print_warning);
        std::fprintf(stderr, "\n");
        const std::string out =
            args->ckpt.json ? usecase::verify_json(v) : report::verify_text(v.result);
        emit(args->ckpt.out, out);
        return v.result.holds() ? kOk : kConditionFails;
    };
}

}  // namespace ssmscope::cli
