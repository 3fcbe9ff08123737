#include "tests/support/cli_run.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include <sys/wait.h>

namespace ssmscope::test {

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

CliRun run_cli(const std::string& cli, const std::filesystem::path& dir, const std::string& args) {
    const std::string out = (dir / "stdout").string(), err = (dir / "stderr").string();
    const std::string cmd =
        "cd '" + dir.string() + "' && '" + cli + "' " + args + " >'" + out + "' 2>'" + err + "'";
    const int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

}  // namespace ssmscope::test
