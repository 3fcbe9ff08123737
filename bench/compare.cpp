// The Sparse Mamba comparison at our scale: Mamba, SC-Mamba, SO-Mamba, Mamba-2 and ST-Mamba-2 of
// equal width, depth and state size trained on the demo corpus for the same number of steps with
// several seeds, reported as the paper's Tables 1-3: validation perplexity (mean ± std over the
// seeds), training wall time and parameter count.
//
//   bench_compare [--steps 300] [--seeds 3] [--corpus demo] [--d-model 64] [--n-layer 2]
//                 [--d-state 8] [--seq-len 64] [--batch 8]
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

struct Result {
    std::vector<double> ppl, seconds, tokens_per_second;
    std::int64_t parameters = 0;
};

struct Listener : model::TrainListener {
    double val_ppl = NAN, seconds = 0, tps = 0;
    void on_step(const model::StepEvent& e) override {
        seconds = e.elapsed_s;
        tps = static_cast<double>(e.tokens) / e.elapsed_s;
        if (e.step % 50 == 0)
            std::fprintf(stderr, "\r  step %lld loss %.3f   ", static_cast<long long>(e.step),
                         e.loss);
    }
    void on_eval(const model::EvalEvent& e) override { val_ppl = e.perplexity; }
};

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
    std::int64_t d_model = 64, n_layer = 2, d_state = 8;
    CLI::App app{"Trains the five architectures at equal size and prints Tables 1-3"};
    app.add_option("--steps", o.steps)->capture_default_str();
    app.add_option("--seeds", seeds)->capture_default_str();
    app.add_option("--corpus", o.corpus)->capture_default_str();
    app.add_option("--d-model", d_model)->capture_default_str();
    app.add_option("--n-layer", n_layer)->capture_default_str();
    app.add_option("--d-state", d_state)->capture_default_str();
    app.add_option("--seq-len", o.seq_len)->capture_default_str();
    app.add_option("--batch", o.batch)->capture_default_str();
    CLI11_PARSE(app, argc, argv);
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
            c.headdim = 16;
            c.dt_rank = (d_model + 15) / 16;
            o.seed = static_cast<std::uint64_t>(seed);
            const fs::path out = scratch / (model::arch_name(c.arch) + "-" + std::to_string(seed));
            std::fprintf(stderr, "%s seed %d\n", model::arch_name(c.arch).c_str(), seed);
            auto trainer = model::Trainer::start(o, c, out);
            Listener l;
            model::TrainControl control;
            trainer->run(l, control);
            std::fprintf(stderr, "\r  validation perplexity %.3f, %.1f s\n", l.val_ppl, l.seconds);
            results[a].ppl.push_back(l.val_ppl);
            results[a].seconds.push_back(l.seconds);
            results[a].tokens_per_second.push_back(l.tps);
            results[a].parameters = trainer->model().parameter_count();
            fs::remove_all(out);
        }
    }
    fs::remove_all(scratch);

    std::printf(
        "Demo corpus, byte-level tokens; d_model %lld, %lld layers, d_state %lld, "
        "%lld steps of %lld x %lld tokens, %d seeds, torch threads %d.\n\n",
        static_cast<long long>(d_model), static_cast<long long>(n_layer),
        static_cast<long long>(d_state), static_cast<long long>(o.steps),
        static_cast<long long>(o.batch), static_cast<long long>(o.seq_len), seeds,
        torch::get_num_threads());
    std::printf(
        "Table 1: validation perplexity (mean ± std)\n\n| model | perplexity |\n|---|---|\n");
    for (std::size_t a = 0; a < archs.size(); ++a)
        std::printf("| %s | %.3f ± %.3f |\n", model::arch_name(archs[a]).c_str(),
                    mean(results[a].ppl), stddev(results[a].ppl));
    std::printf(
        "\nTable 2: training wall time (mean ± std over the seeds) and speed\n\n"
        "| model | seconds | tokens/s | time vs mamba |\n|---|---|---|---|\n");
    for (std::size_t a = 0; a < archs.size(); ++a)
        std::printf("| %s | %.1f ± %.1f | %.0f | %.2f |\n", model::arch_name(archs[a]).c_str(),
                    mean(results[a].seconds), stddev(results[a].seconds),
                    mean(results[a].tokens_per_second),
                    mean(results[a].seconds) / mean(results[0].seconds));
    std::printf("\nTable 3: parameters\n\n| model | parameters | vs mamba |\n|---|---|---|\n");
    for (std::size_t a = 0; a < archs.size(); ++a)
        std::printf("| %s | %lld | %+lld |\n", model::arch_name(archs[a]).c_str(),
                    static_cast<long long>(results[a].parameters),
                    static_cast<long long>(results[a].parameters - results[0].parameters));
    return 0;
}
