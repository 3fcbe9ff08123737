// The Sparse Mamba comparison at our scale: Mamba, SC-Mamba, SO-Mamba, Mamba-2 and ST-Mamba-2 of
// equal width, depth and state size trained on the demo corpus for the same number of steps with
// several seeds, reported as the paper's Tables 1-3: validation perplexity (mean ± std over the
// seeds), training wall time and parameter count.
//
// Two presets: `default` (64 x 2 layers, d_state 8, 300 steps of 8 x 64 tokens: a few minutes)
// and `small` (256 x 4 layers, d_state 16, 600 steps of 8 x 128 tokens: about an hour on 2 cores,
// the closest to the paper's scale this machine affords). Any option given explicitly overrides
// the preset's value.
//
//   bench_compare [--preset default|small] [--steps N] [--seeds 3] [--corpus demo]
//                 [--d-model N] [--n-layer N] [--d-state N] [--headdim 16] [--seq-len N]
//                 [--batch 8]
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <torch/torch.h>
#include <unistd.h>

#include "model/config/model_config.hpp"
#include "model/nn/language_model.hpp"
#include "model/train/trainer.hpp"

namespace fs = std::filesystem;
using namespace ssmscope;

namespace {

// The seeds that finished; a run whose loss or gradient became non-finite stops there (the
// trainer's NonFinite outcome) and is listed with its step and reason instead of entering the
// means.
struct Result {
    std::vector<double> ppl, seconds, tokens_per_second;
    std::vector<std::string> diverged;  // "seed 2, step 35: <reason>"
    std::int64_t parameters = 0;
};

struct Listener : model::TrainListener {
    double val_ppl = NAN, seconds = 0, tps = 0;
    model::TrainOutcome outcome = model::TrainOutcome::Finished;
    std::string message;
    void on_step(const model::StepEvent& e) override {
        seconds = e.elapsed_s;
        tps = static_cast<double>(e.tokens) / e.elapsed_s;
        if (e.step % 50 == 0)
            std::fprintf(stderr, "\r  step %lld loss %.3f   ", static_cast<long long>(e.step),
                         e.loss);
    }
    void on_eval(const model::EvalEvent& e) override { val_ppl = e.perplexity; }
    void on_finish(model::TrainOutcome o, const std::string& m) override {
        outcome = o;
        message = m;
    }
};

struct ComparePreset {
    std::int64_t steps, d_model, n_layer, d_state, seq_len;
};

ComparePreset compare_preset(const std::string& name) {
    if (name == "default")
        return {300, 64, 2, 8, 64};
    if (name == "small")
        return {600, 256, 4, 16, 128};
    throw CLI::ValidationError("--preset", "unknown preset '" + name + "' (known: default, small)");
}

// The architecture each one is timed against: the Sparse Mamba-1 variants against Mamba, the
// stability-enforced Mamba-2 against Mamba-2.
std::size_t baseline_of(model::Arch a) {
    return a == model::Arch::Mamba2 || a == model::Arch::StMamba2 ? 3 : 0;
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v)
        s += x;
    return s / static_cast<double>(v.size());
}

double stddev(const std::vector<double>& v) {  // sample standard deviation
    if (v.size() < 2)
        return 0;
    const double m = mean(v);
    double s = 0;
    for (double x : v)
        s += (x - m) * (x - m);
    return std::sqrt(s / static_cast<double>(v.size() - 1));
}

}  // namespace

int main(int argc, char** argv) {
    model::TrainOptions o;
    o.corpus = "demo";
    o.steps = 300;
    o.batch = 8;
    o.seq_len = 64;
    o.lr = 3e-3;
    o.min_lr = 3e-4;
    o.warmup = 30;
    o.eval_tokens = 16384;
    o.log_every = 1;
    int seeds = 3;
    std::string preset_name = "default";
    std::int64_t d_model = 0, n_layer = 0, d_state = 0, headdim = 16;
    CLI::App app{"Trains the five architectures at equal size and prints Tables 1-3"};
    app.add_option("--preset", preset_name, "default or small")->capture_default_str();
    auto* steps_opt = app.add_option("--steps", o.steps);
    app.add_option("--seeds", seeds)->capture_default_str();
    app.add_option("--corpus", o.corpus)->capture_default_str();
    auto* d_model_opt = app.add_option("--d-model", d_model);
    auto* n_layer_opt = app.add_option("--n-layer", n_layer);
    auto* d_state_opt = app.add_option("--d-state", d_state);
    app.add_option("--headdim", headdim, "Mamba-2 head size")->capture_default_str();
    auto* seq_len_opt = app.add_option("--seq-len", o.seq_len);
    app.add_option("--batch", o.batch)->capture_default_str();
    try {
        app.parse(argc, argv);
        const ComparePreset p = compare_preset(preset_name);
        if (steps_opt->count() == 0)
            o.steps = p.steps;
        if (d_model_opt->count() == 0)
            d_model = p.d_model;
        if (n_layer_opt->count() == 0)
            n_layer = p.n_layer;
        if (d_state_opt->count() == 0)
            d_state = p.d_state;
        if (seq_len_opt->count() == 0)
            o.seq_len = p.seq_len;
    } catch (const CLI::ParseError& e) {
        // --help prints and succeeds; bad input exits 2, as every command of the project does.
        return app.exit(e) == 0 ? 0 : 2;
    }
    // Evaluate once at the end; no checkpoints but the final one, no snapshots in between.
    o.eval_every = 0;
    o.stability_every = 0;
    o.checkpoint_every = 0;
    o.keep_checkpoints = 1;

    const fs::path scratch =
        fs::temp_directory_path() / ("ssmscope-compare-" + std::to_string(getpid()));
    const std::vector<model::Arch> archs = {model::Arch::Mamba, model::Arch::ScMamba,
                                            model::Arch::SoMamba, model::Arch::Mamba2,
                                            model::Arch::StMamba2};
    std::vector<Result> results(archs.size());
    for (std::size_t a = 0; a < archs.size(); ++a) {
        for (int seed = 0; seed < seeds; ++seed) {
            model::ModelConfig c;
            c.arch = archs[a];
            c.d_model = d_model;
            c.n_layer = n_layer;
            c.d_state = d_state;
            c.headdim = headdim;
            c.dt_rank = (d_model + 15) / 16;
            o.seed = static_cast<std::uint64_t>(seed);
            const fs::path out = scratch / (model::arch_name(c.arch) + "-" + std::to_string(seed));
            std::fprintf(stderr, "%s seed %d\n", model::arch_name(c.arch).c_str(), seed);
            auto trainer = model::Trainer::start(o, c, out);
            Listener l;
            model::TrainControl control;
            trainer->run(l, control);
            results[a].parameters = trainer->model().parameter_count();
            if (l.outcome == model::TrainOutcome::NonFinite) {
                // The trainer's message ends with where to resume, a scratch directory here.
                const std::string why = l.message.substr(0, l.message.find(" The last good"));
                std::fprintf(stderr, "\r  diverged at %s\n", why.c_str());
                results[a].diverged.push_back("seed " + std::to_string(seed) + ", " + why);
                fs::remove_all(out);
                continue;
            }
            std::fprintf(stderr, "\r  validation perplexity %.3f, %.1f s\n", l.val_ppl, l.seconds);
            results[a].ppl.push_back(l.val_ppl);
            results[a].seconds.push_back(l.seconds);
            results[a].tokens_per_second.push_back(l.tps);
            fs::remove_all(out);
        }
    }
    fs::remove_all(scratch);
    // A row's seeds, when some diverged.
    const auto seeds_of = [&](const Result& r) {
        return r.diverged.empty() ? std::string()
                                  : " (" + std::to_string(r.ppl.size()) + " of " +
                                        std::to_string(seeds) + " seeds)";
    };

    std::printf(
        "Preset %s: demo corpus, byte-level tokens; d_model %lld, %lld layers, d_state %lld, "
        "Mamba-2 head size %lld, %lld steps of %lld x %lld tokens, %d seeds, torch threads %d.\n\n",
        preset_name.c_str(), static_cast<long long>(d_model), static_cast<long long>(n_layer),
        static_cast<long long>(d_state), static_cast<long long>(headdim),
        static_cast<long long>(o.steps), static_cast<long long>(o.batch),
        static_cast<long long>(o.seq_len), seeds, torch::get_num_threads());
    std::printf(
        "Table 1: validation perplexity (mean ± std)\n\n"
        "| model | perplexity | vs its baseline |\n|---|---|---|\n");
    for (std::size_t a = 0; a < archs.size(); ++a) {
        const std::size_t base = baseline_of(archs[a]);
        std::printf("| %s | %.3f ± %.3f%s | %+.1f %% (%s) |\n", model::arch_name(archs[a]).c_str(),
                    mean(results[a].ppl), stddev(results[a].ppl), seeds_of(results[a]).c_str(),
                    100 * (mean(results[a].ppl) / mean(results[base].ppl) - 1),
                    model::arch_name(archs[base]).c_str());
    }
    std::printf(
        "\nTable 2: training wall time (mean ± std over the seeds) and speed\n\n"
        "| model | seconds | tokens/s | time vs mamba | time vs its baseline |\n"
        "|---|---|---|---|---|\n");
    for (std::size_t a = 0; a < archs.size(); ++a) {
        const std::size_t base = baseline_of(archs[a]);
        std::printf("| %s | %.1f ± %.1f%s | %.0f | %.2f | %.2f (%s) |\n",
                    model::arch_name(archs[a]).c_str(), mean(results[a].seconds),
                    stddev(results[a].seconds), seeds_of(results[a]).c_str(),
                    mean(results[a].tokens_per_second),
                    mean(results[a].seconds) / mean(results[0].seconds),
                    mean(results[a].seconds) / mean(results[base].seconds),
                    model::arch_name(archs[base]).c_str());
    }
    std::printf("\nTable 3: parameters\n\n| model | parameters | vs mamba |\n|---|---|---|\n");
    for (std::size_t a = 0; a < archs.size(); ++a)
        std::printf("| %s | %lld | %+lld |\n", model::arch_name(archs[a]).c_str(),
                    static_cast<long long>(results[a].parameters),
                    static_cast<long long>(results[a].parameters - results[0].parameters));
    bool any = false;
    for (std::size_t a = 0; a < archs.size(); ++a)
        for (const std::string& d : results[a].diverged) {
            std::printf("%s- %s %s\n", any ? "" : "\nDiverged, left out of the means:\n\n",
                        model::arch_name(archs[a]).c_str(), d.c_str());
            any = true;
        }
    return 0;
}
