// bench/analyze: the full `analyze` report of a randomly initialised 130M-shaped Mamba (24 layers,
// d_model 768, d_inner 1536, N 16) on a 256-token probe, with the time of each stage, against the
// plain float32 forward pass of the same model on the same tokens in the same run.
//
// Usage: bench_analyze [--tokens L] [--layers n_layer] [--repeat R] [--double-probe 1]
//        bench_analyze --preset 130m|370m|1.4b|2.8b|mamba2-130m|mamba2-2.7b|sc-130m|7b
//                      [--dir DIR] [--analyze-layers 0,47] [--tokens L] [--info-only 1]
//                      [--skip-eval 1]
//                      [--cli ssmscope-cli]
//        (bench/analyze_preset.hpp: a bf16 checkpoint file, measured through the CLI)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>

#include <torch/torch.h>

#include "analysis/checkpoint_report.hpp"
#include "base/parallel_for.hpp"
#include "bench/analyze_preset.hpp"
#include "model/nn/language_model.hpp"
#include "model/probe/probe.hpp"

using namespace ssmscope;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

const char* text_arg(int argc, char** argv, const char* name, const char* fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return fallback;
}

long arg(int argc, char** argv, const char* name, long fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0)
            return std::atol(argv[i + 1]);
    return fallback;
}

}  // namespace

int main(int argc, char** argv) {
    const long tokens = arg(argc, argv, "--tokens", 256);
    if (const char* name = text_arg(argc, argv, "--preset", nullptr)) {
        bench::PresetRun run;
        run.preset = name;
        // Beside this program (in the build folder) unless told: never in the source tree, where
        // gigabytes of weights would end up in `git add`.
        const std::string beside = (std::filesystem::read_symlink("/proc/self/exe").parent_path() /
                                    "bench-checkpoints" / name)
                                       .string();
        run.dir = text_arg(argc, argv, "--dir", beside.c_str());
        run.cli = text_arg(argc, argv, "--cli", SSMSCOPE_CLI);
        run.layers = text_arg(argc, argv, "--analyze-layers", "");
        run.tokens = tokens;
        run.info_only = arg(argc, argv, "--info-only", 0) != 0;
        run.skip_eval = arg(argc, argv, "--skip-eval", 0) != 0;
        try {
            return bench::run_preset(run);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "bench_analyze: %s\n", e.what());
            return 2;
        }
    }
    const long repeat = arg(argc, argv, "--repeat", 3);
    // --double-probe 1: the probe's forward in double instead of the default (float32 for Mamba).
    const bool double_probe = arg(argc, argv, "--double-probe", 0) != 0;
    model::ModelConfig c;
    c.arch = model::Arch::Mamba;
    c.d_model = 768;
    c.n_layer = arg(argc, argv, "--layers", 24);
    c.vocab_size = 50280;
    c.d_state = 16;
    c.expand = 2;
    c.dt_rank = 48;
    torch::manual_seed(0);
    auto t0 = Clock::now();
    model::LanguageModel m(c);
    m.eval();
    std::printf(
        "bench/analyze: Mamba, %lld layers, d_model %lld, d_inner %lld, N %lld, %lld "
        "parameters, %ld probe tokens, %d threads (model built in %.1f s)\n",
        static_cast<long long>(c.n_layer), static_cast<long long>(c.d_model),
        static_cast<long long>(c.d_inner()), static_cast<long long>(c.d_state),
        static_cast<long long>(m.parameter_count()), tokens, default_threads(), since(t0));
    std::mt19937 rng(1);
    std::uniform_int_distribution<std::int64_t> id(0, c.vocab_size - 1);
    std::vector<std::int64_t> ids(static_cast<std::size_t>(tokens));
    for (auto& t : ids)
        t = id(rng);

    // Baseline: the float32 forward pass that `forward` runs.
    double forward_best = 1e30;
    {
        torch::NoGradGuard no_grad;
        const torch::Tensor x = torch::tensor(ids).unsqueeze(0);
        m.forward(x);  // warm-up
        for (long r = 0; r < repeat; ++r) {
            t0 = Clock::now();
            m.forward(x);
            forward_best = std::min(forward_best, since(t0));
        }
    }

    double best_total = 1e30;
    for (long r = 0; r < repeat; ++r) {
        t0 = Clock::now();
        model::ProbeOptions options;
        options.precision =
            double_probe ? model::ProbePrecision::Double : model::ProbePrecision::Auto;
        const analysis::ProbeTrace trace = model::probe(m, ids, options);
        const double probe_s = since(t0);
        const analysis::CheckpointReport report = analysis::analyze_checkpoint(trace);
        const double total = since(t0);
        const analysis::ReportTimings& tm = report.timings;
        std::printf(
            "run %ld: %.2f s = probe (3 runs batched, forward in %s) + extraction %.2f s, "
            "stability %.2f s, "
            "frozen ranks %.2f s, reachable subspace %.2f s, Gramians %.2f s, Lyapunov %.2f s, "
            "memory horizons %.2f s, token dynamics %.2f s\n",
            r + 1, total, trace.forward_precision.c_str(), probe_s, tm.stability, tm.ranks,
            tm.reachable, tm.gramians, tm.lyapunov, tm.memory, tm.token_dynamics);
        if (r == 0) {
            const analysis::LayerReport& l = report.layers.front();
            std::printf(
                "  layer 0: ctrb rank min/median/max %d/%d/%d over %lld pairs (%lld "
                "cross-checked: %lld staircase, %lld SVD, %lld PBH disagreements), "
                "Gramians on %lld pairs, largest Lyapunov exponent %.4f\n",
                l.ranks.ctrb.min, l.ranks.ctrb.median, l.ranks.ctrb.max,
                static_cast<long long>(l.ranks.ctrb.pairs),
                static_cast<long long>(l.ranks.ctrb.cross_checked),
                static_cast<long long>(l.ranks.ctrb.staircase_disagreements),
                static_cast<long long>(l.ranks.ctrb.svd_disagreements),
                static_cast<long long>(l.ranks.ctrb.pbh_disagreements),
                static_cast<long long>(l.gramians.sampled), l.lyapunov.largest);
        }
        best_total = std::min(best_total, total);
    }
    std::printf("best: analyze %.2f s; float32 forward %.3f s; ratio analyze / forward %.1f\n",
                best_total, forward_best, best_total / forward_best);
    return 0;
}
