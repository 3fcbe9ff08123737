// Runs a command as a child process and measures it from outside: wall time, and the peak
// resident memory the kernel accounted to it (wait4's ru_maxrss), which a process cannot
// understate about itself. Its standard output and error are captured (its progress lines would
// bury the figures).
#pragma once

#include <string>
#include <vector>

namespace ssmscope::bench {

struct ChildRun {
    int exit_code = -1;  // -1: killed by a signal
    double seconds = 0;
    double peak_rss_mb = 0;
    std::string out, err;  // its standard output and error
};

ChildRun run_child(const std::vector<std::string>& argv);

}  // namespace ssmscope::bench
