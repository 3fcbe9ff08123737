// Runs ssmscope-cli as a user would, in a scratch directory, capturing exit code and streams.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace ssmscope::test {

struct CliRun {
    int code = -1;
    std::string out;  // stdout
    std::string err;  // stderr
};

std::string slurp(const std::filesystem::path& file);

// `cli` is the executable; `args` is pasted into a shell command line after it.
CliRun run_cli(const std::string& cli, const std::filesystem::path& dir, const std::string& args);

// Starts `cli args…` in `dir` without a shell, output discarded, and returns at once: for tests
// that signal the process while it runs.
pid_t spawn_cli(const std::string& cli, const std::filesystem::path& dir,
                const std::vector<std::string>& args);

}  // namespace ssmscope::test
