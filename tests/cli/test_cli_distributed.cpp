// Data-parallel training end to end on loopback (c10d::TCPStore + ProcessGroupGloo): two
// processes with --nproc 2 compute what one process with the combined batch does, and either run
// resumes with the other's number of processes; a worker
// killed mid-run ends the run within 30 s with a message naming it and a non-zero exit, and the
// run resumes in one process; bad distributed flags exit with 2 and name the flag.
#include <chrono>
#include <fstream>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include "model/checkpoint/checkpoint.hpp"
#include "model/nn/language_model.hpp"
#include "model/train/run_dir.hpp"
#include "tests/model/fixtures.hpp"
#include "tests/support/cli_run.hpp"

namespace fs = std::filesystem;
using namespace ssmscope;
using namespace ssmscope::test;

namespace {

const std::string kCorpus = std::string(SSMSCOPE_SOURCE_DIR) + "/tests/data/tiny_corpus.txt";
// Gradient accumulation over two micro-batches: the first backward only accumulates locally,
// the second averages over the ranks.
const std::string kRun = "train --arch mamba --corpus " + kCorpus +
                         " --d-model 32 --batch 4 --accum 2 --seq-len 32 --steps 10 --eval-every 5 "
                         "--eval-tokens 256 --stability-every 0 --warmup 2 --seed 3 --quiet";

std::vector<double> step_losses(const fs::path& out) {
    std::vector<double> losses;
    std::ifstream in(out / "metrics.jsonl");
    for (std::string line; std::getline(in, line);) {
        const auto j = nlohmann::json::parse(line);
        if (j.at("event") == "step")
            losses.push_back(j.at("loss").get<double>());
    }
    return losses;
}

double eval_loss(const fs::path& out) {
    double loss = -1;
    std::ifstream in(out / "metrics.jsonl");
    for (std::string line; std::getline(in, line);) {
        const auto j = nlohmann::json::parse(line);
        if (j.at("event") == "eval")
            loss = j.at("val_loss").get<double>();
    }
    return loss;
}

// Starts `sh -c command` in `dir` with stderr to `err`; returns its pid.
pid_t spawn_shell(const fs::path& dir, const std::string& command, const fs::path& err) {
    const pid_t pid = fork();
    if (pid == 0) {
        if (chdir(dir.c_str()) != 0)
            _exit(127);
        const int fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    return pid;
}

// The pid of the worker of rank `rank` writing `out`, from the command lines in /proc (0: none).
pid_t worker_pid(int rank, const std::string& out) {
    for (const auto& e : fs::directory_iterator("/proc")) {
        const std::string name = e.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        const std::string cmd = slurp(e.path() / "cmdline");
        if (cmd.find(std::string("--out\0", 6) + out + '\0') != std::string::npos &&
            cmd.find(std::string("--rank\0", 7) + std::to_string(rank) + '\0') != std::string::npos)
            return static_cast<pid_t>(std::stoi(name));
    }
    return 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(two_processes_equal_one_with_the_combined_batch) {
    TempDir tmp;
    const CliRun two = run_cli(SSMSCOPE_CLI, tmp.path(), kRun + " --nproc 2 --out two");
    BOOST_TEST_REQUIRE(two.code == 0, two.err);
    const CliRun one = run_cli(SSMSCOPE_CLI, tmp.path(), kRun + " --out one");
    BOOST_TEST_REQUIRE(one.code == 0, one.err);

    const std::vector<double> l2 = step_losses(tmp / "two"), l1 = step_losses(tmp / "one");
    BOOST_TEST_REQUIRE(l2.size() == 10u);
    BOOST_TEST_REQUIRE(l1.size() == 10u);
    for (std::size_t i = 0; i < l1.size(); ++i)
        BOOST_TEST(std::abs(l2[i] - l1[i]) <= 1e-5,
                   "step " << i + 1 << ": " << l2[i] << " vs " << l1[i]);
    BOOST_TEST(std::abs(eval_loss(tmp / "two") - eval_loss(tmp / "one")) <= 1e-5);

    // The weights after 10 optimizer steps: the same up to float rounding of the sums.
    const model::LoadedModel a = model::load_checkpoint(tmp / "two");
    const model::LoadedModel b = model::load_checkpoint(tmp / "one");
    const auto pa = a.model->named_parameters(), pb = b.model->named_parameters();
    BOOST_TEST_REQUIRE(pa.size() == pb.size());
    double worst = 0;
    for (const auto& p : pa)
        worst = std::max(worst, (p.value() - pb[p.key()]).abs().max().item<double>());
    BOOST_TEST_MESSAGE("largest weight difference, 2 processes vs 1: " << worst);
    BOOST_TEST(worst <= 1e-5);
    // And the run did train: the weights moved from their initialisation.
    BOOST_TEST(l1.back() < l1.front());

    // Each continues with the other's number of processes: still the same run.
    BOOST_TEST(run_cli(SSMSCOPE_CLI, tmp.path(), "train --resume two --steps 14 --quiet").code ==
               0);
    BOOST_TEST(
        run_cli(SSMSCOPE_CLI, tmp.path(), "train --resume one --steps 14 --nproc 2 --quiet").code ==
        0);
    const std::vector<double> r2 = step_losses(tmp / "two"), r1 = step_losses(tmp / "one");
    BOOST_TEST_REQUIRE(r2.size() == 14u);
    BOOST_TEST_REQUIRE(r1.size() == 14u);
    for (std::size_t i = 10; i < 14; ++i)
        BOOST_TEST(std::abs(r2[i] - r1[i]) <= 1e-5, "resumed step " << i + 1);
}

BOOST_AUTO_TEST_CASE(a_killed_worker_ends_the_run_and_one_process_resumes_it) {
    TempDir tmp;
    const fs::path out = tmp / "run";
    const pid_t launcher = spawn_shell(
        tmp.path(),
        std::string("'") + SSMSCOPE_CLI + "' " + kRun +
            " --steps 100000 --eval-every 0 --checkpoint-every 5 --nproc 2 --out " + out.string(),
        tmp / "err");
    // Once a checkpoint exists, kill rank 1 without warning.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!model::run_dir::latest_checkpoint(out)) {
        BOOST_REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const pid_t rank1 = worker_pid(1, out.string());
    BOOST_REQUIRE(rank1 > 0);
    const auto killed_at = std::chrono::steady_clock::now();
    kill(rank1, SIGKILL);

    int status = 0;
    pid_t done = 0;
    while ((done = waitpid(launcher, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() - killed_at < std::chrono::seconds(30))
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
    BOOST_TEST_MESSAGE("the run ended " << seconds << " s after rank 1 was killed");
    if (done == 0) {
        kill(launcher, SIGKILL);
        waitpid(launcher, &status, 0);
        BOOST_FAIL("the run was still going 30 s after a worker died");
    }
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) != 0);
    const std::string err = slurp(tmp / "err");
    BOOST_TEST(err.find("worker rank 1 of 2 was killed by signal 9") != std::string::npos, err);
    BOOST_TEST(worker_pid(0, out.string()) == 0);  // no worker left behind

    // The newest checkpoint loads, and one process carries the run on from it.
    const auto latest = model::run_dir::latest_checkpoint(out);
    BOOST_REQUIRE(latest.has_value());
    BOOST_CHECK_NO_THROW(model::load_checkpoint(*latest));
    const auto state = model::trainer_state_from_json(
        nlohmann::json::parse(slurp(*latest / model::run_dir::kState)), "state");
    const std::int64_t target = state.step + 7;
    const CliRun resumed = run_cli(
        SSMSCOPE_CLI, tmp.path(),
        "train --resume " + out.string() + " --steps " + std::to_string(target) + " --quiet");
    BOOST_TEST(resumed.code == 0, resumed.err);
    const std::vector<double> losses = step_losses(out);
    BOOST_TEST(losses.size() == static_cast<std::size_t>(target));
    BOOST_CHECK_NO_THROW(model::load_checkpoint(out));
}

BOOST_AUTO_TEST_CASE(bad_distributed_flags_exit_2_and_name_the_flag) {
    TempDir tmp;
    const std::pair<std::string, std::string> cases[] = {
        {"--nproc 0", "--nproc 0"},
        {"--nproc 3", "--batch 4 must be a multiple of the number of processes (3)"},
        {"--rank 1", "needs all of --rank, --world-size and --master"},
        {"--rank 2 --world-size 2 --master 127.0.0.1:29500", "--rank 2: expected 0 to 1"},
        {"--rank 0 --world-size 2 --master nowhere", "--master nowhere: expected HOST:PORT"},
        {"--rank 0 --world-size 2 --master h:99999", "the port must be a number from 1 to 65535"},
        {"--nproc 2 --rank 0 --world-size 2 --master h:1", "cannot be combined with --rank"},
    };
    for (const auto& [flags, fragment] : cases) {
        const CliRun r = run_cli(SSMSCOPE_CLI, tmp.path(), kRun + " --out o " + flags);
        BOOST_TEST_CONTEXT(flags) {
            BOOST_TEST(r.code == 2);
            BOOST_TEST(r.err.find(fragment) != std::string::npos, r.err);
            BOOST_TEST(!fs::exists(tmp / "o"));
        }
    }
}
