#include "app/cli/launch_workers.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/cli/exit_codes.hpp"
#include "base/str.hpp"

namespace ssmscope::cli {

namespace {

// This process's own arguments, as the kernel recorded them.
std::vector<std::string> own_arguments() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    const std::string all{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::vector<std::string> args;
    for (std::size_t at = 0; at < all.size();) {
        const std::size_t end = all.find('\0', at);
        args.push_back(all.substr(at, end - at));
        at = end == std::string::npos ? all.size() : end + 1;
    }
    return args;
}

// A TCP port that is free now on loopback (the kernel picks it).
int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw std::runtime_error(str("--nproc: cannot open a socket: ", std::strerror(errno)));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    ::close(fd);
    if (!ok)
        throw std::runtime_error(str("--nproc: cannot find a free port: ", std::strerror(errno)));
    return ntohs(addr.sin_port);
}

std::string describe(int status) {
    if (WIFSIGNALED(status))
        return str("was killed by signal ", WTERMSIG(status), " (", strsignal(WTERMSIG(status)),
                   ")");
    return str("exited with status ", WEXITSTATUS(status));
}

int code_of(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : kConditionFails;
}

extern "C" void ignore_signal(int) {}

}  // namespace

int launch_workers(int nproc, int timeout_s) {
    const std::vector<std::string> base = own_arguments();
    const std::string master = str("127.0.0.1:", free_port());
    // Ctrl-C goes to the whole foreground process group: the workers stop together and save;
    // the launcher only waits for them.
    struct sigaction quiet {};
    quiet.sa_handler = ignore_signal;
    sigaction(SIGINT, &quiet, nullptr);

    std::vector<pid_t> pids(static_cast<std::size_t>(nproc), -1);
    const pid_t launcher = ::getpid();
    for (int r = 0; r < nproc; ++r) {
        std::vector<std::string> args = base;
        // Options take their last value: these override anything given before.
        for (const std::string& a :
             {std::string("--nproc"), std::string("1"), std::string("--rank"), std::to_string(r),
              std::string("--world-size"), std::to_string(nproc), std::string("--master"), master,
              std::string("--dist-timeout"), std::to_string(timeout_s)})
            args.push_back(a);
        if (r > 0)
            args.push_back("--quiet");
        const pid_t pid = ::fork();
        if (pid < 0) {
            std::fprintf(stderr, "ssmscope-cli: cannot start worker %d: %s\n", r,
                         std::strerror(errno));
            for (pid_t p : pids)
                if (p > 0)
                    ::kill(p, SIGTERM);
            return kConditionFails;
        }
        if (pid == 0) {
            // A worker must not outlive its launcher.
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != launcher)
                ::_exit(kConditionFails);
            std::signal(SIGINT, SIG_DFL);
            // The workers share this machine's cores (LibTorch and the scan kernels read this),
            // unless the user divided them already.
            const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
            ::setenv("OMP_NUM_THREADS",
                     std::to_string(std::max(1u, cores / static_cast<unsigned>(nproc))).c_str(), 0);
            std::vector<char*> argv;
            for (std::string& a : args)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv("/proc/self/exe", argv.data());
            std::fprintf(stderr, "ssmscope-cli: cannot run worker %d: %s\n", r,
                         std::strerror(errno));
            ::_exit(kConditionFails);
        }
        pids[static_cast<std::size_t>(r)] = pid;
    }

    int running = nproc, result = -1;
    bool failed = false;
    auto deadline = std::chrono::steady_clock::time_point::max();
    while (running > 0) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid < 0 && errno != EINTR)
            break;
        if (pid <= 0) {
            // Workers that ignored SIGTERM for 10 s are killed. pids[] holds only workers not
            // yet reaped, so these numbers are still theirs.
            if (std::chrono::steady_clock::now() > deadline)
                for (pid_t p : pids)
                    if (p > 0)
                        ::kill(p, SIGKILL);
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        int rank = -1;
        for (int r = 0; r < nproc; ++r)
            if (pids[static_cast<std::size_t>(r)] == pid)
                rank = r;
        if (rank < 0)
            continue;
        pids[static_cast<std::size_t>(rank)] = -1;
        --running;
        const int code = code_of(status);
        // A clean finish (0) or a saved stop (130) of one rank is what all ranks do together;
        // anything else ends the run.
        const bool ok = WIFEXITED(status) && (code == kOk || code == kInterrupted);
        if (!ok && !failed) {
            failed = true;
            result = code;
            std::fprintf(stderr,
                         "ssmscope-cli: worker rank %d of %d %s; stopping the run (%d other "
                         "worker%s still running)\n",
                         rank, nproc, describe(status).c_str(), running, running == 1 ? "" : "s");
            for (pid_t p : pids)
                if (p > 0)
                    ::kill(p, SIGTERM);
            deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        } else if (!failed && (result < 0 || rank == 0)) {
            result = code;
        }
    }
    return result < 0 ? kConditionFails : result;
}

}  // namespace ssmscope::cli
