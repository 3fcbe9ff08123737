// ssmscope-cli train and finetune end to end: SIGKILL while a checkpoint is being written leaves
// the previous one loadable and the resumed run ends where an uninterrupted one does; SIGINT
// saves and exits with 130; bad input exits with 2 and names what was wrong; finetune names the
// tensors its first step reaches, and a layer whose A drifts to 0 warns.
#include <chrono>
#include <cmath>
#include <set>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <torch/torch.h>
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
const std::string kRun = "--corpus '" + kCorpus +
                         "' --steps 30 --batch 2 --seq-len 16 --eval-every 0 --eval-tokens 64 "
                         "--stability-every 0 --warmup 3 --seed 5 --quiet";

// Starts the CLI with `args` (split on spaces, no quoting), output discarded.
pid_t spawn(const fs::path& dir, const std::vector<std::string>& args) {
    return spawn_cli(SSMSCOPE_CLI, dir, args);
}

int wait_exit(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void wait_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done()) {
        BOOST_REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
}

std::size_t temporaries(const fs::path& out) {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(model::run_dir::checkpoints(out)))
        n += e.path().filename().string().rfind(".tmp-step-", 0) == 0;
    return n;
}

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string w; in >> w;)
        out.push_back(w);
    return out;
}

// A tiny model of `arch` with room for byte-level text, saved to `dir`.
void save_byte_model(model::Arch arch, const fs::path& dir) {
    model::ModelConfig c = tiny_config(arch);
    c.vocab_size = 264;
    model::LanguageModel m(c);
    model::save_checkpoint(m, dir);
}

}  // namespace

BOOST_AUTO_TEST_CASE(sigkill_while_writing_a_checkpoint_loses_nothing) {
    TempDir tmp;
    std::string plain = kRun;
    plain.replace(plain.find('\''), 1, "");
    plain.replace(plain.find('\''), 1, "");
    const std::string args = "train --arch mamba --checkpoint-every 1 " + plain;
    BOOST_TEST(wait_exit(spawn(tmp.path(), words(args + " --out straight"))) == 0);

    const fs::path out = tmp / "killed";
    int caught_writing = 0;
    for (int kill_no = 0; kill_no < 3; ++kill_no) {
        const pid_t pid = spawn(tmp.path(), kill_no == 0 ? words(args + " --out killed")
                                                         : words("train --resume killed --quiet"));
        // The first kill needs a checkpoint before it to fall back to.
        wait_until([&] { return model::run_dir::latest_checkpoint(out).has_value(); });
        // Kill the moment a checkpoint's temporary directory appears: mid-write. Each kill lets a
        // few more checkpoints through than the one before, so they land at different steps.
        const int fd = inotify_init1(0);
        inotify_add_watch(fd, model::run_dir::checkpoints(out).c_str(), IN_CREATE);
        alignas(inotify_event) char buf[4096];
        int seen = 0;
        while (seen <= 3 * kill_no) {
            const ssize_t n = read(fd, buf, sizeof buf);
            BOOST_REQUIRE(n > 0);
            for (char* p = buf; p < buf + n;) {
                const auto* e = reinterpret_cast<const inotify_event*>(p);
                seen += e->len > 0 && std::string(e->name).rfind(".tmp-step-", 0) == 0;
                p += sizeof(inotify_event) + e->len;
            }
        }
        kill(pid, SIGKILL);
        close(fd);
        BOOST_TEST(wait_exit(pid) == 128 + SIGKILL);
        caught_writing += temporaries(out) > 0 ? 1 : 0;

        const auto latest = model::run_dir::latest_checkpoint(out);
        BOOST_REQUIRE(latest.has_value());
        BOOST_TEST_MESSAGE("kill " << kill_no << ": newest complete checkpoint " << *latest
                                   << ", temporaries " << temporaries(out));
        BOOST_CHECK_NO_THROW(model::load_checkpoint(*latest));
        BOOST_CHECK_NO_THROW(model::load_checkpoint(out));  // OUT itself stays a checkpoint
        BOOST_CHECK_NO_THROW(model::trainer_state_from_json(
            nlohmann::json::parse(slurp(*latest / model::run_dir::kState)), "state"));
    }
    BOOST_TEST(caught_writing >= 1, "no kill landed while a checkpoint was being written");
    BOOST_TEST(wait_exit(spawn(tmp.path(), words("train --resume killed --quiet"))) == 0);
    BOOST_TEST(temporaries(out) == 0u);
    // Three kills later the run ends with the weights of the uninterrupted one, bit for bit.
    BOOST_TEST(slurp(out / "model.safetensors") == slurp(tmp / "straight/model.safetensors"));
}

BOOST_AUTO_TEST_CASE(sigint_saves_a_checkpoint_and_exits_130) {
    TempDir tmp;
    std::string plain = kRun;
    plain.erase(std::remove(plain.begin(), plain.end(), '\''), plain.end());
    const pid_t pid =
        spawn(tmp.path(), words("train --arch sc-mamba --checkpoint-every 1000 --log-every 1 "
                                "--out run " +
                                plain + " --steps 100000"));  // the last --steps counts
    wait_until([&] { return fs::exists(tmp / "run/metrics.jsonl"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    kill(pid, SIGINT);
    BOOST_TEST(wait_exit(pid) == 130);
    const auto latest = model::run_dir::latest_checkpoint(tmp / "run");
    BOOST_REQUIRE(latest.has_value());
    const auto state = model::trainer_state_from_json(
        nlohmann::json::parse(slurp(*latest / model::run_dir::kState)), "state");
    BOOST_TEST(state.step > 0);
    BOOST_TEST(state.step < 1000);  // saved at the interruption, not at a scheduled checkpoint
    std::string last;
    std::istringstream log(slurp(tmp / "run/metrics.jsonl"));
    for (std::string line; std::getline(log, line);)
        last = line;
    BOOST_TEST(nlohmann::json::parse(last)["outcome"] == "stopped");
    // The interrupted run analyses as a checkpoint and resumes (here to a shorter total).
    BOOST_TEST(run_cli(SSMSCOPE_CLI, tmp.path(), "info run").code == 0);
    const auto resumed =
        run_cli(SSMSCOPE_CLI, tmp.path(),
                "train --resume run --quiet --steps " + std::to_string(state.step + 2));
    BOOST_TEST(resumed.code == 0, resumed.err);
}

BOOST_AUTO_TEST_CASE(finetune_writes_an_ordinary_checkpoint) {
    TempDir tmp;
    save_byte_model(model::Arch::Mamba, tmp / "base");
    const auto r = run_cli(SSMSCOPE_CLI, tmp.path(),
                           "finetune base --blocks 1 --lora-rank 2 --lora-targets x_proj,out_proj "
                           "--out ft --steps 3 " +
                               kRun);
    BOOST_TEST(r.code == 0, r.err);
    const auto info = run_cli(SSMSCOPE_CLI, tmp.path(), "info ft --json");
    BOOST_TEST(info.code == 0, info.err);
    BOOST_TEST(run_cli(SSMSCOPE_CLI, tmp.path(), "verify ft --require stable").code == 0);
}

// A base whose 800-row vocabulary is no byte tokenizer's, shipped without a tokenizer: its
// corpus is refused, never read as byte ids; with --tokenizer it trains, and the saved model
// carries that tokenizer.
BOOST_AUTO_TEST_CASE(finetune_of_a_base_without_its_tokenizer_needs_one) {
    TempDir tmp;
    model::ModelConfig c = tiny_config(model::Arch::Mamba);
    c.vocab_size = 800;
    model::LanguageModel m(c);
    model::save_checkpoint(m, tmp / "base");
    const auto refused =
        run_cli(SSMSCOPE_CLI, tmp.path(), "finetune base --blocks 1 --out ft --steps 2 " + kRun);
    BOOST_TEST(refused.code == 2, refused.err);
    BOOST_TEST(refused.err.find("--tokenizer") != std::string::npos, refused.err);
    const std::string spm =
        std::string(SSMSCOPE_SOURCE_DIR) + "/tests/data/tokenizers/spm_legacy.json";
    const auto r =
        run_cli(SSMSCOPE_CLI, tmp.path(),
                "finetune base --blocks 1 --out ft2 --steps 2 --tokenizer " + spm + " " + kRun);
    BOOST_TEST(r.code == 0, r.err);
    BOOST_TEST(nlohmann::json::parse(slurp(tmp / "ft2/train.json"))["tokenizer"] == spm);
    const auto info = run_cli(SSMSCOPE_CLI, tmp.path(), "info ft2 --json");
    BOOST_TEST(info.code == 0, info.err);
    const std::string tokenizer = nlohmann::json::parse(info.out)["tokenizer"];
    BOOST_TEST(tokenizer.find("BPE") != std::string::npos, tokenizer);
}

// `train --options` of a run's train.json starts a run with the same train.json: the file is the
// whole schedule, whoever wrote it (the CLI's flags here, the desktop app for its workers).
BOOST_AUTO_TEST_CASE(options_file_of_a_run_reproduces_its_train_json) {
    TempDir tmp;
    const auto first = run_cli(SSMSCOPE_CLI, tmp.path(),
                               "train --arch mamba --out first " + kRun + " --steps 2" +
                                   " --min-lr 1e-5 --warmup 1 --eval-tokens 96 --keep 3");
    BOOST_TEST(first.code == 0, first.err);
    const auto again = run_cli(SSMSCOPE_CLI, tmp.path(),
                               "train --options first/train.json --arch mamba --out again --quiet");
    BOOST_TEST(again.code == 0, again.err);
    const auto a = nlohmann::json::parse(slurp(tmp / "first/train.json"));
    const auto b = nlohmann::json::parse(slurp(tmp / "again/train.json"));
    BOOST_TEST(a.dump(2) == b.dump(2));
    BOOST_TEST(a["min_lr"] == 1e-5);
    BOOST_TEST(a["eval_tokens"] == 96);
    // A fine-tuning run's file needs no --arch: it names its base checkpoint.
    save_byte_model(model::Arch::Mamba, tmp / "base");
    const auto ft =
        run_cli(SSMSCOPE_CLI, tmp.path(),
                "finetune base --blocks 1 --lora-rank 2 --out ft " + kRun + " --steps 2");
    BOOST_TEST(ft.code == 0, ft.err);
    const auto ft2 =
        run_cli(SSMSCOPE_CLI, tmp.path(), "train --options ft/train.json --out ft2 --quiet");
    BOOST_TEST(ft2.code == 0, ft2.err);
    BOOST_TEST(slurp(tmp / "ft/train.json") == slurp(tmp / "ft2/train.json"));
}

BOOST_AUTO_TEST_CASE(bad_input_exits_2_and_names_it) {
    TempDir tmp;
    save_byte_model(model::Arch::Mamba2, tmp / "m2");
    tmp.write("short.txt", "far too short");
    fs::create_directories(tmp / "full");
    tmp.write("full/file", "x");
    tmp.write("not_json.json", "{ steps: 3");
    tmp.write("bad_field.json", "{\"corpus\": \"demo\", \"warmup\": -2}");
    tmp.write("wrong_type.json", "{\"corpus\": \"demo\", \"steps\": \"many\"}");
    tmp.write("good.json", "{\"corpus\": \"demo\", \"steps\": 3}");
    tmp.write("ft.json", "{\"corpus\": \"demo\", \"base_checkpoint\": \"m2\"}");
    const std::string train = "train --arch mamba --out o " + kRun + " ";
    struct Case {
        std::string args, message;
    };
    std::vector<Case> cases = {
        {"train --arch lstm --out o " + kRun, "--arch lstm"},
        {"train --arch mamba --out o --corpus missing.txt", "missing.txt: cannot open the corpus"},
        {"train --arch mamba --out o --corpus short.txt", "short.txt: the corpus has 13 tokens"},
        {"train --arch mamba --out full " + kRun, "full: the output directory must be empty"},
        {train + "--seq-len 1", "seq_len must be at least 2"},
        {"train --resume nowhere", "nowhere: not a training run"},
        {"train --resume o --arch mamba", "--arch cannot be combined with --resume"},
        {"train --out o " + kRun, "train needs --arch"},
        {"finetune m2 --blocks 5 --out f " + kRun, "--blocks 5: the model has 2 layers"},
        {"finetune m2 --blocks 0 --lora-rank 2 --lora-targets x_proj --out f " + kRun,
         "mamba2 has no x_proj"},
        {"finetune m2 --blocks 0 --lora-targets in_proj --out f " + kRun,
         "--lora-targets needs --lora-rank"},
        {"finetune nowhere --blocks 0 --out f " + kRun, "nowhere"},
        {"train --options missing.json --arch mamba --out o", "missing.json: cannot read"},
        {"train --options not_json.json --arch mamba --out o", "not_json.json: not valid JSON"},
        {"train --options bad_field.json --arch mamba --out o",
         "bad_field.json: warmup must be 0 or more"},
        {"train --options wrong_type.json --arch mamba --out o", "wrong_type.json"},
        {"train --options good.json --arch mamba --out o --steps 5",
         "--steps cannot be combined with --options"},
        {"train --options good.json --out o", "train needs --arch"},
        {"train --options ft.json --arch mamba --out o", "--arch cannot be combined with"},
        {"train --options good.json --resume o", "--options cannot be combined with --resume"},
    };
    if (!torch::cuda::is_available())
        cases.push_back({train + "--device cuda", "--device cuda: no CUDA device"});
    for (const Case& k : cases) {
        const auto r = run_cli(SSMSCOPE_CLI, tmp.path(), k.args);
        BOOST_TEST(r.code == 2, k.args << " → " << r.code << ": " << r.err);
        BOOST_TEST(r.err.find(k.message) != std::string::npos, k.args << " → " << r.err);
        BOOST_TEST(!fs::exists(tmp / "o/train.json"));
    }
}

namespace {

// kRun without --quiet: these tests read what the run prints.
std::string loud(std::string args) {
    args.erase(args.find(" --quiet"), 8);
    return args;
}

std::vector<nlohmann::json> events(const fs::path& metrics, const std::string& event) {
    std::vector<nlohmann::json> out;
    std::istringstream in(slurp(metrics));
    for (std::string line; std::getline(in, line);) {
        auto j = nlohmann::json::parse(line);
        if (j["event"] == event)
            out.push_back(std::move(j));
    }
    return out;
}

}  // namespace

// finetune names the tensors its first step reaches: with LoRA on x_proj and out_proj of block 1
// exactly those adapters' B factors (B starts at 0, so A's gradient is 0 in step 1), on stderr
// and in metrics.jsonl, and no adapter is reported off the autograd path.
BOOST_AUTO_TEST_CASE(finetune_prints_and_logs_the_tensors_its_first_step_reaches) {
    TempDir tmp;
    save_byte_model(model::Arch::Mamba, tmp / "base");
    const auto r = run_cli(SSMSCOPE_CLI, tmp.path(),
                           "finetune base --blocks 1 --lora-rank 2 --lora-targets x_proj,out_proj "
                           "--out ft " +
                               loud(kRun) + " --steps 2");
    BOOST_TEST(r.code == 0, r.err);
    const std::vector<std::string> expected = {"backbone.layers.1.mixer.x_proj.lora_B",
                                               "backbone.layers.1.mixer.out_proj.lora_B"};
    BOOST_TEST(r.err.find("gradients of step 1: non-zero in 2 of 4 trained tensors: " +
                          expected[0] + ", " + expected[1] + ";") != std::string::npos,
               r.err);
    BOOST_TEST(r.err.find("warning:") == std::string::npos, r.err);
    const auto logged = events(tmp / "ft/metrics.jsonl", "gradients");
    BOOST_REQUIRE_EQUAL(logged.size(), 1u);
    BOOST_TEST(logged[0]["nonzero"].get<std::vector<std::string>>() == expected,
               boost::test_tools::per_element());
    BOOST_TEST(logged[0]["adapters_off_path"].empty());
}

// A layer whose A has drifted towards 0 (A_log = log 5e-5 everywhere in layer 1 of the base,
// which the fine-tune of block 0 leaves alone) warns at the first snapshot, on stderr and in the
// log, once: min |A| = 5e-5 < 1e-4 and ā = exp(−Δ·5e-5) > 1 − 1e-4 for any Δ < 2. Layer 0
// (|A| ≥ 1, Δ ≥ 0.1) does not warn.
BOOST_AUTO_TEST_CASE(a_drifting_a_warns_on_stderr_and_in_the_log) {
    TempDir tmp;
    model::ModelConfig c = tiny_config(model::Arch::Mamba);
    c.vocab_size = 264;
    model::LanguageModel m(c);
    const float a_log = std::log(5e-5f);
    {
        torch::NoGradGuard no_grad;
        m.named_parameters()["backbone.layers.1.mixer.A_log"].fill_(a_log);
    }
    model::save_checkpoint(m, tmp / "base");
    const auto r = run_cli(
        SSMSCOPE_CLI, tmp.path(),
        "finetune base --blocks 0 --out ft " + loud(kRun) + " --steps 3 --stability-every 1");
    BOOST_TEST(r.code == 0, r.err);
    BOOST_TEST(
        r.err.find("warning: step 1: layer 1: min |A| is 5e-05, below 1e-4") != std::string::npos,
        r.err);
    BOOST_TEST(
        r.err.find("warning: step 1: layer 1: max ā = max exp(Δ·A) is 1 − ") != std::string::npos,
        r.err);
    const auto warnings = events(tmp / "ft/metrics.jsonl", "warning");
    BOOST_REQUIRE_EQUAL(warnings.size(), 2u);
    std::set<std::string> kinds;
    for (const auto& w : warnings) {
        BOOST_TEST(w["step"] == 1);
        BOOST_TEST(w["layer"] == 1);
        kinds.insert(w["kind"].get<std::string>());
    }
    BOOST_TEST((kinds == std::set<std::string>{"a_near_zero", "abar_near_one"}));
    // The snapshot's number is exp of the stored float, to the rounding of the float32 exp of
    // the probe's forward (the probe's precision for Mamba).
    const auto steps = events(tmp / "ft/metrics.jsonl", "step");
    BOOST_REQUIRE(!steps.empty());
    const auto& layer1 = steps.back()["stability"]["layers"][1];
    BOOST_TEST(layer1["min_abs_a"].get<double>() == std::exp(static_cast<double>(a_log)),
               boost::test_tools::tolerance(2e-7));
    BOOST_TEST(layer1["a_near_zero"] == true);
    BOOST_TEST(steps.back()["stability"]["layers"][0]["a_near_zero"] == false);
}
