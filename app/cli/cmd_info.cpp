// ssmscope-cli info: architecture, sizes, parameter count, dtype, state memory.
#include <nlohmann/json.hpp>

#include "app/cli/checkpoint_args.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/exit_codes.hpp"
#include "app/cli/output.hpp"
#include "base/str.hpp"

namespace ssmscope::cli {

Command add_info(CLI::App& app) {
    auto args = std::make_shared<CheckpointArgs>();
    CLI::App* cmd = app.add_subcommand(
        "info", "Architecture, sizes, parameter count, dtype and state memory of a checkpoint");
    add_checkpoint_args(*cmd, *args);
    return [args] {
        const usecase::CheckpointSummary summary =
            usecase::describe_checkpoint(args->dir, {.tokenizer = args->tokenizer});
        for (const std::string& w : summary.warnings)
            print_warning(w);
        const auto j = usecase::summary_json(summary);
        std::string out;
        if (args->json) {
            out = j.dump(2) + "\n";
        } else {
            for (const auto& [key, value] : j.items()) {
                if (key == "warnings" && value.empty())
                    continue;
                out += str(key, std::string(24 - std::min<std::size_t>(key.size(), 23), ' '),
                           value.is_string() ? value.get<std::string>() : value.dump(), "\n");
            }
        }
        emit(args->out, out);
        return kOk;
    };
}

}  // namespace ssmscope::cli
