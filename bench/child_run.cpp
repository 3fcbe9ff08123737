#include "bench/child_run.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ssmscope::bench {

namespace {

// A new temporary file, open for writing; its path in `path`.
int temporary(std::string& path) {
    char name[] = "/tmp/ssmscope-bench-XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0)
        throw std::runtime_error("cannot create a temporary file for a child's output");
    path = name;
    return fd;
}

std::string take(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    std::remove(path.c_str());
    return text.str();
}

}  // namespace

ChildRun run_child(const std::vector<std::string>& argv) {
    std::string out_path, err_path;
    const int out = temporary(out_path), err = temporary(err_path);
    std::fflush(nullptr);
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        std::vector<char*> args;
        for (const std::string& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        std::perror(args[0]);
        _exit(127);
    }
    close(out);
    close(err);
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    ChildRun r;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
    r.out = take(out_path);
    r.err = take(err_path);
    return r;
}

}  // namespace ssmscope::bench
