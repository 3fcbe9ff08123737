// ssmscope-cli: the headless front end. Exit codes: 0 success, 1 a verified condition does not
// hold, 2 bad input or usage, 3 an internal error, 130 a training run stopped by SIGINT with its
// checkpoint saved (exit_codes.hpp).
#include <cstdio>
#include <exception>
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/exit_codes.hpp"

int main(int argc, char** argv) {
    using namespace ssmscope::cli;
    CLI::App app{"ssmscope-cli: control-theoretic analysis of selective state-space models"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "ssmscope " SSMSCOPE_VERSION);

    std::map<const CLI::App*, Command> commands;
    const auto add = [&](Command (*adder)(CLI::App&)) {
        Command run = adder(app);
        commands.emplace(app.get_subcommands({}).back(), std::move(run));
    };
    add(add_lti);
    add(add_info);
    add(add_forward);
    add(add_eval);
    add(add_generate);
    add(add_params);
    add(add_analyze);
    add(add_verify);
    add(add_train);
    add(add_finetune);
    add(add_convert);

    // CLI11 would only say that a subcommand is required; name the word it did not know.
    std::string known;
    bool found = false;
    for (const CLI::App* sub : app.get_subcommands({})) {
        known += " " + sub->get_name();
        found = found || (argc > 1 && sub->get_name() == argv[1]);
    }
    if (argc > 1 && argv[1][0] != '-' && !found) {
        std::fprintf(stderr, "ssmscope-cli: error: unknown command '%s' (commands:%s)\n", argv[1],
                     known.c_str());
        return kBadInput;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);  // prints help, version or the error
        return code == 0 ? kOk : kBadInput;
    }
    for (const CLI::App* sub : app.get_subcommands()) {
        try {
            return commands.at(sub)();
        } catch (const ssmscope::InputError& e) {
            std::fprintf(stderr, "ssmscope-cli %s: error: %s\n", sub->get_name().c_str(), e.what());
            return kBadInput;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "ssmscope-cli %s: internal error: %s\n", sub->get_name().c_str(),
                         e.what());
            return kInternalError;
        }
    }
    return kBadInput;
}
