// ssmscope-cli verify: exit 0 when every required condition holds on every analysed layer, unit
// and probe token; 1 otherwise, naming each failing layer and channel or head.
#include <sstream>

#include <nlohmann/json.hpp>

#include "analysis/verify.hpp"
#include "app/cli/checkpoint_args.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/exit_codes.hpp"
#include "app/cli/output.hpp"
#include "app/cli/probe_args.hpp"
#include "app/report/checkpoint_json.hpp"
#include "app/report/checkpoint_text.hpp"
#include "app/usecase/layer_list.hpp"
#include "base/error.hpp"
#include "model/nn/language_model.hpp"
#include "model/probe/probe.hpp"

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
                    "comma-separated conditions: controllable, observable, stable")
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
        const OpenCheckpoint ckpt = open_checkpoint(args->ckpt);
        const Probe probe = probe_tokens(ckpt, args->probe);
        const analysis::ProbeTrace trace =
            model::probe(*ckpt.loaded.model, probe.tokens,
                         {.layers = usecase::parse_layer_list(args->probe.layers, "--layers"),
                          .perturbations = false,
                          .progress = [](const std::string& stage, double f) {
                              return print_progress("verify", stage, f);
                          }});
        std::fprintf(stderr, "\n");
        const analysis::VerifyResult result = analysis::verify(
            trace, required, args->tol > 0 ? std::optional<double>(args->tol) : std::nullopt);
        std::string out;
        if (args->ckpt.json) {
            nlohmann::ordered_json j;
            j["checkpoint"] = args->ckpt.dir;
            j["probe"] = {{"source", probe.source}, {"tokens", probe.tokens.size()}};
            j.update(report::verify_json(result));
            out = j.dump(2) + "\n";
        } else {
            out = report::verify_text(result);
        }
        emit(args->ckpt.out, out);
        return result.holds() ? kOk : kConditionFails;
    };
}

}  // namespace ssmscope::cli
