// The trainer: bitwise-identical resume on CPU, a NaN stops the run and keeps the last good
// checkpoint, fine-tuning touches only the named blocks, LoRA merges to the same logits, CUDA
// asked for on a machine without one fails at once; the stability watch warns before A_log
// reaches −∞ and its numbers are the closed forms; the first step's gradients reach exactly the
// tensors the LoRA spec names, and a bypassed adapter is reported.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include "base/error.hpp"
#include "model/checkpoint/checkpoint.hpp"
#include "model/nn/causal_conv.hpp"
#include "model/nn/mamba_mixer.hpp"
#include "model/train/gradient_report.hpp"
#include "model/train/lora.hpp"
#include "model/train/run_dir.hpp"
#include "model/train/stability_snapshot.hpp"
#include "model/train/trainer.hpp"
#include "tests/model/fixtures.hpp"
#include "tests/support/cli_run.hpp"

namespace fs = std::filesystem;
using namespace ssmscope;
using model::Arch;
using model::TrainOutcome;

namespace {

const fs::path kCorpus = fs::path(SSMSCOPE_SOURCE_DIR) / "tests/data/tiny_corpus.txt";

model::TrainOptions small_options() {
    model::TrainOptions o;
    o.corpus = kCorpus.string();
    o.batch = 2;
    o.seq_len = 16;
    o.steps = 8;
    o.lr = 3e-3;
    o.min_lr = 3e-4;
    o.warmup = 2;
    o.eval_every = 4;
    o.eval_tokens = 64;
    o.stability_every = 4;
    o.stability_tokens = 8;
    o.checkpoint_every = 4;
    o.seed = 3;
    return o;
}

// A listener that records the losses and may act at a given step.
struct Recorder : model::TrainListener {
    std::vector<double> losses, val_losses;
    std::string finish_message;
    std::function<void(std::int64_t)> at_step;
    void on_step(const model::StepEvent& e) override {
        losses.push_back(e.loss);
        if (at_step)
            at_step(e.step);
    }
    void on_eval(const model::EvalEvent& e) override { val_losses.push_back(e.loss); }
    void on_paused(bool p) override { pauses.push_back(p); }
    std::vector<bool> pauses;
    void on_finish(TrainOutcome, const std::string& m) override { finish_message = m; }
    std::vector<model::WarningEvent> warnings;
    void on_warning(const model::WarningEvent& w) override { warnings.push_back(w); }
    std::vector<model::GradientReport> gradients;
    void on_gradients(const model::GradientReport& g) override { gradients.push_back(g); }
};

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

// Every parameter of the checkpoint in `dir`, by name.
std::map<std::string, torch::Tensor> weights(const fs::path& dir) {
    std::map<std::string, torch::Tensor> out;
    auto loaded = model::load_checkpoint(dir);
    for (const auto& p : loaded.model->named_parameters())
        out[p.key()] = p.value().detach().clone();
    return out;
}

bool bitwise_equal(const torch::Tensor& a, const torch::Tensor& b) {
    return a.sizes() == b.sizes() && torch::equal(a, b);
}

// A checkpoint of a random 3-layer model whose vocabulary fits the byte-level tokenizer.
fs::path base_checkpoint(const test::TempDir& tmp, Arch arch) {
    model::ModelConfig c = test::tiny_config(arch);
    c.n_layer = 3;
    c.vocab_size = 257;
    c.pad_vocab_size_multiple = 8;
    torch::manual_seed(11);
    model::LanguageModel m(c);
    const fs::path dir = tmp / ("base-" + model::arch_name(arch));
    model::save_checkpoint(m, dir);
    return dir;
}

// Runs `options` once straight through, and once stopped after step `stop_at` and resumed.
void check_resume_bitwise(const model::TrainOptions& options, const model::ModelConfig& config,
                          std::int64_t stop_at) {
    test::TempDir tmp;
    Recorder straight;
    model::TrainControl control;
    BOOST_TEST((model::Trainer::start(options, config, tmp / "a")->run(straight, control) ==
                TrainOutcome::Finished));

    Recorder first;
    model::TrainControl stop;
    first.at_step = [&](std::int64_t step) { stop.stop = step == stop_at; };
    BOOST_TEST((model::Trainer::start(options, config, tmp / "b")->run(first, stop) ==
                TrainOutcome::Stopped));
    BOOST_TEST(fs::exists(model::run_dir::step_dir(tmp / "b", stop_at) / "trainer.pt"));
    Recorder second;
    model::TrainControl go;
    auto resumed = model::Trainer::resume(tmp / "b");
    BOOST_TEST(resumed->step() == stop_at);
    BOOST_TEST((resumed->run(second, go) == TrainOutcome::Finished));

    // The same losses step for step, and the same final weights bit for bit.
    std::vector<double> joined = first.losses;
    joined.insert(joined.end(), second.losses.begin(), second.losses.end());
    BOOST_TEST(joined == straight.losses, boost::test_tools::per_element());
    BOOST_TEST(straight.losses.size() == static_cast<std::size_t>(options.steps));
    BOOST_TEST(test::slurp(tmp / "a/model.safetensors") ==
               test::slurp(tmp / "b/model.safetensors"));
    // The loss went down: the run trains at all.
    BOOST_TEST(straight.val_losses.back() < straight.val_losses.front());
    // The resumed log reads as one run: one "step" line per step, in order.
    std::int64_t expected = 1;
    std::istringstream log(test::slurp(tmp / "b/metrics.jsonl"));
    for (std::string line; std::getline(log, line);) {
        const auto j = nlohmann::json::parse(line);
        if (j["event"] == "step")
            BOOST_TEST(j["step"].get<std::int64_t>() == expected++);
    }
    BOOST_TEST(expected == options.steps + 1);
}

}  // namespace

BOOST_AUTO_TEST_CASE(resume_is_bitwise_identical_mamba_with_accumulation) {
    model::TrainOptions o = small_options();
    o.accum = 2;
    o.log_every = 1;
    check_resume_bitwise(o, test::tiny_config(Arch::Mamba), 3);  // between checkpoints 0 and 4
}

BOOST_AUTO_TEST_CASE(resume_is_bitwise_identical_sc_mamba) {
    check_resume_bitwise(small_options(), test::tiny_config(Arch::ScMamba), 5);
}

BOOST_AUTO_TEST_CASE(resume_is_bitwise_identical_lora_finetune_of_mamba2) {
    test::TempDir tmp;
    model::TrainOptions o = small_options();
    o.base_checkpoint = base_checkpoint(tmp, Arch::Mamba2).string();
    o.blocks = {1};
    o.lora_rank = 2;
    o.lora_targets = {"in_proj", "out_proj", "embeddings"};
    check_resume_bitwise(o, {}, 6);
}

BOOST_AUTO_TEST_CASE(pause_holds_the_run_between_steps_until_released) {
    test::TempDir tmp;
    model::TrainOptions o = small_options();
    o.steps = 4;
    auto trainer = model::Trainer::start(o, test::tiny_config(Arch::Mamba), tmp / "run");
    model::TrainControl control;
    Recorder r;
    std::thread releaser;
    std::atomic<std::int64_t> step_at_release{-1};
    r.at_step = [&](std::int64_t step) {
        if (step != 2)
            return;
        control.pause = true;  // as the GUI's Pause button, from another thread
        releaser = std::thread([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            step_at_release = static_cast<std::int64_t>(r.losses.size());
            control.pause = false;
        });
    };
    BOOST_TEST((trainer->run(r, control) == TrainOutcome::Finished));
    releaser.join();
    BOOST_TEST(step_at_release.load() == 2);  // no step ran while paused
    BOOST_TEST(r.pauses == (std::vector<bool>{true, false}), boost::test_tools::per_element());
    BOOST_TEST(r.losses.size() == 4u);
}

BOOST_AUTO_TEST_CASE(stop_before_the_first_step_saves_nothing) {
    test::TempDir tmp;
    auto trainer =
        model::Trainer::start(small_options(), test::tiny_config(Arch::Mamba), tmp / "run");
    model::TrainControl control;
    control.stop = true;
    Recorder r;
    BOOST_TEST((trainer->run(r, control) == TrainOutcome::Stopped));
    BOOST_TEST(r.losses.empty());
    BOOST_TEST(r.finish_message == "stopped before the first step; nothing was saved");
    BOOST_TEST(!model::run_dir::latest_checkpoint(tmp / "run").has_value());
}

BOOST_AUTO_TEST_CASE(nan_stops_the_run_and_keeps_the_last_good_checkpoint) {
    test::TempDir tmp;
    model::TrainOptions o = small_options();
    o.checkpoint_every = 2;
    auto trainer = model::Trainer::start(o, test::tiny_config(Arch::Mamba), tmp / "run");
    Recorder r;
    r.at_step = [&](std::int64_t step) {
        if (step != 3)
            return;
        torch::NoGradGuard no_grad;
        trainer->model().named_parameters()["backbone.layers.1.mixer.A_log"][0][0] =
            std::numeric_limits<float>::quiet_NaN();
    };
    model::TrainControl control;
    BOOST_TEST((trainer->run(r, control) == TrainOutcome::NonFinite));
    BOOST_TEST(r.losses.size() == 3u);  // step 4 never completed
    BOOST_TEST_MESSAGE(r.finish_message);
    BOOST_TEST(r.finish_message.find("step 4: the training loss is NaN") != std::string::npos);
    BOOST_TEST(r.finish_message.find("parameter backbone.layers.1.mixer.A_log holds NaN") !=
               std::string::npos);
    BOOST_TEST(r.finish_message.find("step-00000002") != std::string::npos);
    // The newest checkpoint is the one before the NaN, and it is finite.
    const auto latest = model::run_dir::latest_checkpoint(tmp / "run");
    BOOST_REQUIRE(latest.has_value());
    BOOST_TEST(latest->filename() == "step-00000002");
    for (const fs::path& dir : {*latest, tmp / "run"})
        for (const auto& [name, t] : weights(dir))
            BOOST_TEST(torch::isfinite(t).all().item<bool>(), dir << ": " << name);
    // And it resumes.
    Recorder again;
    BOOST_TEST(
        (model::Trainer::resume(tmp / "run")->run(again, control) == TrainOutcome::Finished));
}

BOOST_AUTO_TEST_CASE(finetune_changes_only_the_named_blocks) {
    test::TempDir tmp;
    const fs::path base = base_checkpoint(tmp, Arch::Mamba);
    const auto before = weights(base);
    for (std::int64_t rank : {0, 2}) {
        model::TrainOptions o = small_options();
        o.steps = 3;
        o.base_checkpoint = base.string();
        o.blocks = {1};
        o.lora_rank = rank;
        const fs::path out = tmp / ("ft" + std::to_string(rank));
        Recorder r;
        model::TrainControl c;
        BOOST_TEST((model::Trainer::start(o, {}, out)->run(r, c) == TrainOutcome::Finished));
        const auto after = weights(out);  // an ordinary checkpoint: the adapters are merged
        BOOST_TEST(after.size() == before.size());
        int changed = 0;
        for (const auto& [name, t] : before) {
            const bool same = bitwise_equal(after.at(name), t);
            const bool in_block = name.rfind("backbone.layers.1.", 0) == 0;
            // LoRA adapts only the projections; full fine-tuning may move any tensor of block 1.
            const bool lora_target = name.find("_proj.weight") != std::string::npos &&
                                     name.find("dt_proj") == std::string::npos;
            const bool may_change = in_block && (rank == 0 || lora_target);
            if (!may_change)
                BOOST_TEST(same, "rank " << rank << ": " << name << " changed");
            changed += same ? 0 : 1;
        }
        BOOST_TEST(changed >= 3, "rank " << rank << ": only " << changed << " tensors trained");
    }
}

BOOST_AUTO_TEST_CASE(lora_merge_gives_the_logits_of_the_adapter_model) {
    for (Arch arch : {Arch::Mamba, Arch::Mamba2, Arch::SoMamba}) {
        auto m = test::tiny_model(arch);
        model::LoraSpec spec;
        spec.rank = 3;
        spec.alpha = 6;
        spec.targets = model::default_lora_targets(*m);
        spec.targets.push_back("embeddings");
        model::LoraAdapters lora(*m, spec);
        BOOST_TEST(lora.adapters().size() == spec.targets.size() * 2 - 1);  // 2 layers + embeddings
        {
            torch::NoGradGuard no_grad;
            for (auto& a : lora.adapters())
                const_cast<torch::Tensor&>(a.B).normal_(0, 0.05);  // a trained-looking adapter
        }
        const torch::Tensor tokens = torch::randint(0, 50, {2, 9}, torch::kInt64);
        lora.refresh();
        // Gradients reach every adapter through the ordinary modules.
        m->forward(tokens).pow(2).mean().backward();
        for (const auto& a : lora.adapters()) {
            BOOST_TEST(a.A.grad().abs().max().item<double>() > 0, a.name);
            BOOST_TEST(a.B.grad().abs().max().item<double>() > 0, a.name);
        }
        torch::Tensor adapted;
        {
            torch::NoGradGuard no_grad;
            lora.refresh();
            adapted = m->forward(tokens);
            // with_merged leaves the bases exactly as they were.
            const torch::Tensor base = lora.adapters()[0].base.clone();
            lora.with_merged([] {});
            BOOST_TEST(bitwise_equal(lora.adapters()[0].base, base));
            lora.merge();
        }
        const torch::Tensor merged = m->forward(tokens).detach();
        const double diff = (merged - adapted).abs().max().item<double>();
        BOOST_TEST(diff < 1e-5, model::arch_name(arch) << ": max logit difference " << diff);
        BOOST_TEST((adapted - m->forward(tokens)).abs().max().item<double>() < 1e-5);
    }
}

BOOST_AUTO_TEST_CASE(lora_rejects_targets_the_architecture_lacks) {
    auto m = test::tiny_model(Arch::Mamba2);
    model::LoraSpec spec;
    spec.targets = {"x_proj"};
    spec.rank = 2;
    BOOST_CHECK_EXCEPTION(model::LoraAdapters(*m, spec), InputError, [](const InputError& e) {
        return std::string(e.what()).find("mamba2 has no x_proj") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(cuda_without_a_gpu_fails_at_once) {
    if (torch::cuda::is_available()) {
        BOOST_TEST_MESSAGE("skipped: a CUDA device is present");
        return;
    }
    test::TempDir tmp;
    model::TrainOptions o = small_options();
    o.device = "cuda";
    BOOST_CHECK_EXCEPTION(model::Trainer::start(o, test::tiny_config(Arch::Mamba), tmp / "run"),
                          InputError, [](const InputError& e) {
                              return std::string(e.what()).find("--device cuda") !=
                                     std::string::npos;
                          });
    BOOST_TEST(!fs::exists(tmp / "run"));  // nothing half made
}

// The snapshot reads the training model's own tensors (no copy of the model): the abscissa is
// max(−exp(A_log)) of each layer, as the closed form gives it, and every parameter keeps its
// values, its type and its storage.
BOOST_AUTO_TEST_CASE(stability_snapshot_reads_the_model_and_leaves_it_as_it_was) {
    auto m = test::tiny_model(Arch::Mamba);
    const std::int64_t vocab = m->config().padded_vocab();
    std::vector<std::int64_t> tokens;
    for (std::int64_t i = 0; i < 12; ++i)
        tokens.push_back((7 * i + 3) % vocab);
    model::StabilityProbe probe(m->config(), tokens);
    std::vector<torch::Tensor> before;
    std::vector<const void*> storage;
    for (const torch::Tensor& p : m->parameters()) {
        before.push_back(p.detach().clone());
        storage.push_back(p.data_ptr());
    }
    for (int round = 0; round < 2; ++round) {
        const model::StabilitySnapshot s = probe.take(*m);
        BOOST_REQUIRE_EQUAL(s.layers.size(), static_cast<std::size_t>(m->config().n_layer));
        for (std::size_t l = 0; l < s.layers.size(); ++l) {
            auto& mixer = dynamic_cast<model::MambaMixer&>(m->mixer(static_cast<std::int64_t>(l)));
            const double abscissa =
                (-torch::exp(mixer.A_log.to(torch::kDouble))).max().item<double>();
            BOOST_TEST(s.layers[l].spectral_abscissa == abscissa,
                       boost::test_tools::tolerance(1e-12));
            BOOST_TEST(s.layers[l].ctrb_fraction >= 0.0);
            BOOST_TEST(s.layers[l].ctrb_fraction <= 1.0);
            BOOST_TEST(std::isfinite(s.layers[l].largest_lyapunov));
        }
        const std::vector<torch::Tensor> after = m->parameters();
        for (std::size_t i = 0; i < after.size(); ++i) {
            BOOST_TEST((after[i].scalar_type() == torch::kFloat32));
            BOOST_TEST(after[i].data_ptr() == storage[i]);
            BOOST_TEST(torch::equal(after[i], before[i]));
        }
    }
}

// As an optimizer with a growing step would: layer 1's A_log loses 4^k / 1024 after step k until
// it overflows to −∞. The watch must warn while the values are still finite. What the snapshot of
// step s sees is read here from the tensor at step s (the listener runs after the snapshot):
// the first warning of min |A| comes at the first step where min exp(A_log) < 1e-4, and the
// non-finite report at the first step where A_log holds −∞, later.
BOOST_AUTO_TEST_CASE(the_watch_warns_before_a_log_reaches_minus_infinity) {
    test::TempDir tmp;
    model::TrainOptions o = small_options();
    o.steps = 100;
    o.stability_every = 1;
    o.eval_every = 0;
    o.checkpoint_every = 0;
    auto trainer = model::Trainer::start(o, test::tiny_config(Arch::Mamba), tmp / "run");
    const std::string name = "backbone.layers.1.mixer.A_log";
    torch::Tensor a_log = trainer->model().named_parameters()[name];
    std::map<std::int64_t, model::StepEvent> steps;
    std::int64_t expect_warning = 0, expect_non_finite = 0;
    model::TrainControl control;
    struct Watch : Recorder {
        std::function<void(const model::StepEvent&)> step;
        void on_step(const model::StepEvent& e) override { step(e); }
    } w;
    w.step = [&](const model::StepEvent& e) {
        steps[e.step] = e;
        const torch::Tensor seen = a_log.detach().to(torch::kDouble);
        if (!expect_warning && torch::exp(seen).min().item<double>() < 1e-4)
            expect_warning = e.step;
        if (!expect_non_finite && !torch::isfinite(seen).all().item<bool>())
            expect_non_finite = e.step;
        if (expect_non_finite && e.step >= expect_non_finite + 2)
            control.stop = true;
        torch::NoGradGuard no_grad;
        a_log.sub_(std::pow(4.0, static_cast<double>(e.step)) / 1024);
    };
    trainer->run(w, control);
    BOOST_TEST_MESSAGE("min |A| < 1e-4 from step " << expect_warning << ", A_log = −∞ from step "
                                                   << expect_non_finite);
    BOOST_REQUIRE(expect_warning > 0);
    BOOST_REQUIRE(expect_non_finite > expect_warning);
    std::int64_t warned_abs_a = 0, warned_abar = 0, warned_non_finite = 0;
    for (const auto& warning : w.warnings) {
        BOOST_TEST_MESSAGE("step " << warning.step << ": " << warning.message);
        BOOST_TEST(warning.layer == 1, warning.message);  // layer 0 stays as trained
        std::int64_t& first = warning.kind == "a_near_zero"     ? warned_abs_a
                              : warning.kind == "abar_near_one" ? warned_abar
                                                                : warned_non_finite;
        BOOST_TEST(first == 0, "warned twice: " << warning.message);  // once, on entering
        first = warning.step;
    }
    BOOST_TEST(warned_abs_a == expect_warning);
    // ā = exp(Δ·A) with Δ ≤ 1 (the tiny model's Δ range) passes 1 − 1e-4 no later than |A| < 1e-4.
    BOOST_TEST(warned_abar > 0);
    BOOST_TEST(warned_abar <= warned_abs_a);
    BOOST_TEST(warned_non_finite == expect_non_finite);
    for (const auto& [step, e] : steps) {
        BOOST_REQUIRE(e.stability.has_value());
        const auto& site = e.stability->non_finite;
        BOOST_TEST(site.has_value() == (step >= expect_non_finite), "step " << step);
        if (site) {
            BOOST_TEST(site->layer == 1);
            BOOST_TEST(site->quantity == "parameters");
            BOOST_TEST(site->parameter == name);
            BOOST_TEST(site->first_step == expect_non_finite);
        }
        BOOST_TEST(e.stability->layers[1].a_near_zero() == (step >= expect_warning));
    }
    // The log has the same warnings.
    std::istringstream log(test::slurp(tmp / "run/metrics.jsonl"));
    std::vector<std::int64_t> logged;
    for (std::string line; std::getline(log, line);) {
        const auto j = nlohmann::json::parse(line);
        if (j["event"] == "warning")
            logged.push_back(j["step"].get<std::int64_t>());
    }
    BOOST_TEST(logged.size() == w.warnings.size());
}

// The snapshot's new numbers against closed forms computed here from the tensors: min |A| =
// min exp(A_log); Δ = softplus(dt_proj(x_proj(x))) and the state h_t = exp(Δ_t A) h_{t−1} +
// Δ_t B_t x_t of a double forward the test runs layer by layer, giving max exp(Δ·A), the Δ range
// and the largest per-channel ||h_t||. The snapshot's forward is float32 (the probe's Auto for
// Mamba): agreement to float32 rounding.
BOOST_AUTO_TEST_CASE(stability_snapshot_watch_numbers_are_the_closed_forms) {
    auto m = test::tiny_model(Arch::Mamba);
    const model::ModelConfig& c = m->config();
    {
        // A trained-looking A (its initial log(1..N) would make min |A| exactly 1).
        torch::NoGradGuard no_grad;
        for (std::int64_t l = 0; l < c.n_layer; ++l)
            dynamic_cast<model::MambaMixer&>(m->mixer(l)).A_log.uniform_(-3, 2);
    }
    std::vector<std::int64_t> tokens;
    for (std::int64_t i = 0; i < 20; ++i)
        tokens.push_back((11 * i + 5) % c.padded_vocab());
    model::StabilityProbe probe(c, tokens);
    const model::StabilitySnapshot s = probe.take(*m);
    BOOST_TEST(!s.non_finite.has_value());
    BOOST_REQUIRE_EQUAL(s.layers.size(), static_cast<std::size_t>(c.n_layer));

    torch::NoGradGuard no_grad;
    model::LanguageModel ref(c, model::Init::None);
    {
        auto dst = ref.named_parameters();
        for (const auto& p : m->named_parameters())
            dst[p.key()].set_data(p.value().detach().to(torch::kDouble).clone());
    }
    torch::Tensor h =
        ref.backbone->embeddings->weight.index_select(0, torch::tensor(tokens)).unsqueeze(0);
    for (std::int64_t l = 0; l < c.n_layer; ++l) {
        auto& block = *ref.backbone->layers[static_cast<std::size_t>(l)];
        auto& mixer = dynamic_cast<model::MambaMixer&>(*block.mixer);
        const torch::Tensor u = block.norm(h);
        const auto xz = mixer.in_proj(u).chunk(2, -1);
        const torch::Tensor x =
            torch::silu(model::causal_conv(xz[0], mixer.conv1d->weight, mixer.conv1d->bias))[0];
        const auto parts = mixer.x_proj(x).split_with_sizes({c.dt_rank, c.d_state, c.d_state}, -1);
        const torch::Tensor delta = torch::softplus(mixer.dt_proj(parts[0]));        // (L, E)
        const torch::Tensor B = parts[1];                                            // (L, N)
        const torch::Tensor A = -torch::exp(mixer.A_log);                            // (E, N)
        const torch::Tensor abar = torch::exp(delta.unsqueeze(2) * A.unsqueeze(0));  // (L, E, N)
        torch::Tensor state = torch::zeros_like(A);
        double max_norm = 0;
        for (std::int64_t t = 0; t < delta.size(0); ++t) {
            state = abar[t] * state + delta[t].unsqueeze(1) * B[t].unsqueeze(0) * x[t].unsqueeze(1);
            max_norm = std::max(max_norm, state.norm(2, {1}).max().item<double>());
        }
        const model::LayerStabilitySnapshot& got = s.layers[static_cast<std::size_t>(l)];
        using boost::test_tools::tolerance;
        // The probe's forward for Mamba is float32: A = −exp(A_log) is a float32 exp.
        BOOST_TEST(got.min_abs_a == torch::exp(mixer.A_log).min().item<double>(), tolerance(2e-7));
        BOOST_TEST(got.max_abar == abar.max().item<double>(), tolerance(1e-6));
        BOOST_TEST(got.delta_min == delta.min().item<double>(), tolerance(1e-5));
        BOOST_TEST(got.delta_max == delta.max().item<double>(), tolerance(1e-5));
        BOOST_TEST(got.max_state_norm == max_norm, tolerance(1e-5));
        BOOST_TEST(got.max_state_norm > 0);
        BOOST_TEST(!got.abar_near_one());  // Δ ≥ 0.1 and |A| ≥ exp(−3) here
        BOOST_TEST(!got.a_near_zero());
        h = h + mixer.forward(u);
    }
}

// A real fine-tune through LoRA: in step 1 exactly the adapters' B factors get non-zero
// gradients (B = 0 makes ∂L/∂A = 0, and the model's own weights are frozen), as the spec's
// targets × blocks name them; the run's metrics log lists the same. Full fine-tuning of block 1
// reaches every parameter of block 1 and nothing else.
BOOST_AUTO_TEST_CASE(the_first_step_reaches_the_tensors_the_lora_spec_names) {
    test::TempDir tmp;
    const fs::path base = base_checkpoint(tmp, Arch::Mamba);
    model::TrainOptions o = small_options();
    o.steps = 2;
    o.base_checkpoint = base.string();
    o.blocks = {0, 2};
    o.lora_rank = 2;
    o.lora_targets = {"x_proj", "out_proj"};
    std::vector<std::string> expected_b, expected_a;
    for (const std::string& t : o.lora_targets) {
        for (std::int64_t b : o.blocks) {
            const std::string module = "backbone.layers." + std::to_string(b) + ".mixer." + t;
            expected_b.push_back(module + ".lora_B");
            expected_a.push_back(module + ".lora_A");
        }
    }
    Recorder r;
    model::TrainControl c;
    BOOST_TEST((model::Trainer::start(o, {}, tmp / "lora")->run(r, c) == TrainOutcome::Finished));
    BOOST_REQUIRE_EQUAL(r.gradients.size(), 1u);
    BOOST_TEST(r.gradients[0].step == 1);
    BOOST_TEST(sorted(r.gradients[0].nonzero) == sorted(expected_b),
               boost::test_tools::per_element());
    BOOST_TEST(sorted(r.gradients[0].zero) == sorted(expected_a), boost::test_tools::per_element());
    BOOST_TEST(r.gradients[0].adapters_off_path.empty());
    for (const auto& w : r.warnings)
        BOOST_TEST(w.kind != "lora_off_path", w.message);
    std::istringstream log(test::slurp(tmp / "lora/metrics.jsonl"));
    int lines = 0;
    for (std::string line; std::getline(log, line);) {
        const auto j = nlohmann::json::parse(line);
        if (j["event"] != "gradients")
            continue;
        ++lines;
        BOOST_TEST(j["step"] == 1);
        BOOST_TEST(sorted(j["nonzero"].get<std::vector<std::string>>()) == sorted(expected_b),
                   boost::test_tools::per_element());
        BOOST_TEST(j["adapters_off_path"].empty());
    }
    BOOST_TEST(lines == 1);

    o.lora_rank = 0;
    o.lora_targets.clear();
    o.blocks = {1};
    std::vector<std::string> block_1;
    for (const auto& [name, t] : weights(base))
        if (name.rfind("backbone.layers.1.", 0) == 0)
            block_1.push_back(name);
    Recorder full;
    BOOST_TEST(
        (model::Trainer::start(o, {}, tmp / "full")->run(full, c) == TrainOutcome::Finished));
    BOOST_REQUIRE_EQUAL(full.gradients.size(), 1u);
    BOOST_TEST(sorted(full.gradients[0].nonzero) == block_1, boost::test_tools::per_element());
    BOOST_TEST(full.gradients[0].zero.empty());
}

// The guard against a kernel that bypasses an adapter: layer 1's out_proj computes with its base
// weight instead of the adapted one (the seam: its module's weight pointed back at the base after
// refresh()), so neither of its factors gets a gradient; the report names that adapter alone and
// warns about it, while the other adapters' B factors still get theirs.
BOOST_AUTO_TEST_CASE(an_adapter_the_forward_bypasses_is_reported) {
    auto m = test::tiny_model(Arch::Mamba2);
    model::LoraSpec spec;
    spec.rank = 2;
    spec.targets = {"in_proj", "out_proj"};
    model::LoraAdapters lora(*m, spec);
    lora.refresh();
    const std::string bypassed = "backbone.layers.1.mixer.out_proj";
    std::vector<std::string> expected;
    for (const auto& a : lora.adapters()) {
        if (a.name == bypassed)
            *a.weight = a.base;
        else
            expected.push_back(a.name + ".lora_B");
    }
    BOOST_REQUIRE_EQUAL(expected.size(), lora.adapters().size() - 1);
    const torch::Tensor tokens = torch::randint(0, 50, {2, 9}, torch::kInt64);
    m->forward(tokens).pow(2).mean().backward();
    const model::GradientReport report =
        model::gradient_report(model::trainable_tensors(*m, &lora), &lora);
    BOOST_TEST(sorted(report.nonzero) == sorted(expected), boost::test_tools::per_element());
    BOOST_TEST(report.adapters_off_path == std::vector<std::string>{bypassed},
               boost::test_tools::per_element());
    const auto warnings = model::off_path_warnings(report);
    BOOST_REQUIRE_EQUAL(warnings.size(), 1u);
    BOOST_TEST(warnings[0].kind == "lora_off_path");
    BOOST_TEST(warnings[0].message.find(bypassed) != std::string::npos, warnings[0].message);
}
