// Each command registers its options on the CLI11 app and returns the function that runs it
// once the command line has parsed.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace ssmscope::cli {

using Command = std::function<int()>;

Command add_lti(CLI::App& app);
Command add_info(CLI::App& app);
Command add_forward(CLI::App& app);
Command add_eval(CLI::App& app);
Command add_generate(CLI::App& app);
Command add_params(CLI::App& app);
Command add_analyze(CLI::App& app);
Command add_verify(CLI::App& app);
Command add_train(CLI::App& app);
Command add_finetune(CLI::App& app);
Command add_convert(CLI::App& app);

}  // namespace ssmscope::cli
