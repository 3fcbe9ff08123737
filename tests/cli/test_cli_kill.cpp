// Crash safety of training: SIGKILL at 20 moments drawn at random (seeded) — while the model
// loads, mid-step, while a checkpoint is written — and after each kill the newest complete
// checkpoint loads and `--resume` carries on; at the end the run has the final loss and the
// weights of a run that was never interrupted, bit for bit.
#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/checkpoint/checkpoint.hpp"
#include "model/train/run_dir.hpp"
#include "tests/model/fixtures.hpp"
#include "tests/support/cli_run.hpp"

namespace fs = std::filesystem;
using namespace ssmscope;
using namespace ssmscope::test;

namespace {

const std::string kCorpus = std::string(SSMSCOPE_SOURCE_DIR) + "/tests/data/tiny_corpus.txt";
const std::vector<std::string> kRun = {"--arch",
                                       "mamba",
                                       "--corpus",
                                       kCorpus,
                                       "--d-model",
                                       "16",
                                       "--batch",
                                       "2",
                                       "--seq-len",
                                       "16",
                                       "--steps",
                                       "1500",
                                       "--checkpoint-every",
                                       "5",
                                       "--eval-every",
                                       "0",
                                       "--eval-tokens",
                                       "64",
                                       "--stability-every",
                                       "0",
                                       "--warmup",
                                       "3",
                                       "--seed",
                                       "11",
                                       "--quiet"};

pid_t spawn(const fs::path& dir, const std::vector<std::string>& args) {
    return spawn_cli(SSMSCOPE_CLI, dir, args);
}

std::vector<std::string> with(std::vector<std::string> args,
                              std::initializer_list<std::string> more) {
    args.insert(args.begin(), "train");
    args.insert(args.end(), more);
    return args;
}

// The loss of the last step the run logged.
double final_loss(const fs::path& out) {
    double loss = -1;
    std::ifstream in(out / "metrics.jsonl");
    for (std::string line; std::getline(in, line);) {
        const auto j = nlohmann::json::parse(line);
        if (j.at("event") == "step")
            loss = j.at("loss").get<double>();
    }
    return loss;
}

}  // namespace

BOOST_AUTO_TEST_CASE(twenty_random_sigkills_lose_nothing) {
    TempDir tmp;
    {
        int status = 0;
        waitpid(spawn(tmp.path(), with(kRun, {"--out", "straight"})), &status, 0);
        BOOST_TEST_REQUIRE(WIFEXITED(status));
        BOOST_TEST_REQUIRE(WEXITSTATUS(status) == 0);
    }
    const fs::path out = tmp / "killed";
    std::mt19937_64 rng(20261124);
    // From a fresh process to its kill: covers start-up (loading the checkpoint, the corpus),
    // training steps and checkpoint writes, which at 5-step intervals take a good share of a run.
    std::uniform_int_distribution<int> delay_ms(0, 400);
    int kills = 0, attempts = 0;
    bool finished = false;
    pid_t pid = spawn(tmp.path(), with(kRun, {"--out", out.string()}));
    // The first kill needs a checkpoint to fall back to (before it there is nothing to lose).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!model::run_dir::latest_checkpoint(out)) {
        BOOST_REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    while (kills < 20 && !finished) {
        BOOST_REQUIRE(++attempts < 100);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status)) {
            // It finished before the signal landed: a kill that did not happen.
            BOOST_TEST_REQUIRE(WEXITSTATUS(status) == 0);
            finished = true;
            break;
        }
        BOOST_TEST_REQUIRE(WTERMSIG(status) == SIGKILL);
        ++kills;
        const auto latest = model::run_dir::latest_checkpoint(out);
        BOOST_REQUIRE(latest.has_value());
        BOOST_CHECK_NO_THROW(model::load_checkpoint(*latest));
        BOOST_CHECK_NO_THROW(model::trainer_state_from_json(
            nlohmann::json::parse(slurp(*latest / model::run_dir::kState)), "state"));
        pid = spawn(tmp.path(), {"train", "--resume", out.string(), "--quiet"});
    }
    if (!finished) {
        int status = 0;
        waitpid(pid, &status, 0);
        BOOST_TEST_REQUIRE(WIFEXITED(status));
        BOOST_TEST_REQUIRE(WEXITSTATUS(status) == 0);
    }
    BOOST_TEST_MESSAGE(kills << " kills in " << attempts << " attempts");
    BOOST_TEST(kills == 20);
    BOOST_TEST(final_loss(out) == final_loss(tmp / "straight"));
    BOOST_TEST(slurp(out / "model.safetensors") == slurp(tmp / "straight/model.safetensors"));
}
