// bench/analysis: the per-system report of a 130M-parameter Mamba's frozen-time systems,
// 24 layers x 1536 channels of single-input single-output systems of order 16, against a plain
// Eigen path (Krylov matrices + SVD ranks only) on the same systems in the same run.
//
// Usage: bench_analysis [--layers L] [--channels D] [--threads T] [--repeat R] [--companion 1]
// --companion 1 makes every channel an SC-Mamba one instead: A in controllable canonical form
// (a dense Schur factorisation, unlike Mamba's diagonal A), B = e_N.
// Each path runs R times (default 3) after a warm-up; the best and the median time are printed.
// First, the per-layer stages of `analyze` (analysis/layer_*.hpp) on synthetic selective layers
// of the same shape (--tokens T probe tokens, default 256): the cost of each stage per
// (unit, token) pair or per unit, for the Mamba diagonal A, Mamba-2 scalar-A heads (N = 64 and
// 128) and SC-Mamba companion A. --stages-only 1 stops after them.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include <Eigen/SVD>

#include "analysis/canonical.hpp"
#include "analysis/checkpoint_report.hpp"
#include "analysis/controllability.hpp"
#include "analysis/ctrb.hpp"
#include "analysis/gram.hpp"
#include "analysis/hsv.hpp"
#include "analysis/layer_gramians.hpp"
#include "analysis/layer_lyapunov.hpp"
#include "analysis/layer_memory.hpp"
#include "analysis/layer_ranks.hpp"
#include "analysis/layer_reachable.hpp"
#include "analysis/lti_report.hpp"
#include "analysis/minreal.hpp"
#include "analysis/rank.hpp"
#include "analysis/schur.hpp"
#include "analysis/spectrum.hpp"
#include "analysis/staircase.hpp"
#include "base/parallel_for.hpp"

using namespace ssmscope;
using namespace ssmscope::analysis;
using Clock = std::chrono::steady_clock;

namespace {

constexpr Index kOrder = 16;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A Mamba-1 channel frozen at one token: A = -diag(exp(A_log)) with A_log near its S4D-real
// initialisation log(1..16) (as after training), B_t and C_t as x_proj produces them.
std::vector<StateSpace> mamba_like_systems(Index count, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal;
    std::vector<StateSpace> systems;
    systems.reserve(static_cast<std::size_t>(count));
    for (Index k = 0; k < count; ++k) {
        StateSpace s{Matrix::Zero(kOrder, kOrder), Matrix(kOrder, 1), Matrix(1, kOrder),
                     Matrix::Zero(1, 1), 0.0};
        for (Index i = 0; i < kOrder; ++i) {
            s.A(i, i) = -std::exp(std::log(static_cast<double>(i + 1)) + 0.3 * normal(rng));
            s.B(i, 0) = normal(rng);
            s.C(0, i) = normal(rng);
        }
        systems.push_back(std::move(s));
    }
    return systems;
}

// An SC-Mamba channel: the companion matrix of real poles in [-16, -1], B = e_N, C_t random.
std::vector<StateSpace> companion_systems(Index count, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> pole(-16.0, -1.0);
    std::vector<StateSpace> systems;
    systems.reserve(static_cast<std::size_t>(count));
    for (Index k = 0; k < count; ++k) {
        std::vector<std::complex<double>> poles;
        for (Index i = 0; i < kOrder; ++i)
            poles.emplace_back(pole(rng), 0.0);
        Matrix C(1, kOrder);
        for (Index i = 0; i < kOrder; ++i)
            C(0, i) = normal(rng);
        systems.push_back(StateSpace{companion(poly(poles)), Vector::Unit(kOrder, kOrder - 1), C,
                                     Matrix::Zero(1, 1), 0.0});
    }
    return systems;
}

struct Summary {
    long ctrb_full = 0, obsv_full = 0, gram_defined = 0;
    double hsv_sum = 0.0;
};

struct Timing {
    double best = 0.0, median = 0.0;
};

template <typename F>
Timing time_repeated(int repeat, F run) {
    std::vector<double> t;
    for (int i = 0; i < repeat; ++i) {
        const auto t0 = Clock::now();
        run();
        t.push_back(seconds_since(t0));
    }
    std::sort(t.begin(), t.end());
    return {t.front(), t[t.size() / 2]};
}

int arg(int argc, char** argv, const char* name, int fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0)
            return std::atoi(argv[i + 1]);
    return fallback;
}

// A selective layer as model/ extracts it: Δ in the softplus range of a trained Mamba, random
// b_t and c_t in one group (SC-Mamba: b fixed at e_N).
SelectiveLayer synthetic_layer(StateForm form, Index units, Index n, Index tokens, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal;
    // Poles in [-2, -0.5]: wider ones make the degree-16 coefficients overflow exp(Δ A).
    std::uniform_real_distribution<double> step(0.001, 0.1), pole(-2.0, -0.5);
    SelectiveLayer l;
    l.form = form;
    l.n = n;
    l.exact_zoh = form == StateForm::Companion;
    l.delta.resize(tokens, units);
    for (Index i = 0; i < l.delta.size(); ++i)
        l.delta.data()[i] = step(rng);
    l.delta_raw = l.delta;
    const auto randn = [&](Index rows, Index cols) {
        Matrix M(rows, cols);
        for (Index i = 0; i < M.size(); ++i)
            M.data()[i] = normal(rng);
        return M;
    };
    l.B = {randn(tokens, n)};
    l.C = {randn(tokens, n)};
    if (form == StateForm::Diagonal) {
        l.a.resize(units, n);
        for (Index u = 0; u < units; ++u)
            for (Index i = 0; i < n; ++i)
                l.a(u, i) = -std::exp(std::log(static_cast<double>(i + 1)) + 0.3 * normal(rng));
    } else if (form == StateForm::Scalar) {
        l.unit_name = "head";
        l.a.resize(units, 1);
        for (Index u = 0; u < units; ++u)
            l.a(u, 0) = -std::exp(0.5 * normal(rng));
    } else {
        l.a.resize(units, n);
        for (Index u = 0; u < units; ++u) {
            std::vector<std::complex<double>> poles;
            for (Index i = 0; i < n; ++i)
                poles.emplace_back(pole(rng), 0.0);
            l.a.row(u) = poly(poles).transpose();
        }
        l.B = {Matrix(Vector::Unit(n, n - 1).transpose().replicate(tokens, 1))};
        l.b_fixed = true;
    }
    return l;
}

// Best of `repeat` runs of each stage on one layer, per pair (ranks: ctrb and obsv together) or
// per unit, in ns.
void bench_stages(const char* name, const SelectiveLayer& l, int repeat) {
    const double pairs = static_cast<double>(l.units() * l.tokens());
    const double units = static_cast<double>(l.units());
    constexpr Index kGramianPairs = 1024;  // ReportOptions' default
    const auto best = [&](auto f) { return time_repeated(repeat, f).best; };
    LayerRanks ranks;
    const double t_ranks = best([&] { ranks = layer_ranks(l); });
    const double t_ranks_bare =
        best([&] { (void)layer_ranks(l, {.tol = std::nullopt, .cross_check_pairs = 0}); });
    const double t_reach = best([&] { (void)layer_reachable(l); });
    LayerGramians g;
    const double t_gram = best([&] { g = layer_gramians(l, kGramianPairs); });
    const double t_lyap = best([&] { (void)layer_lyapunov(l); });
    LayerMemory memory;
    const double t_memory =
        best([&] { memory = layer_memory(l, -1, ReportOptions{}.memory_units); });
    std::printf(
        "%s: %ld units x %ld tokens, N %ld\n"
        "  frozen ranks %.1f ms = %.1f ns per pair (%s; without the %ld + %ld cross checks %.1f ms "
        "= %.1f ns per pair)\n"
        "  reachable subspace %.1f ms = %.2f us per unit\n"
        "  Gramians %.1f ms = %.2f us per sampled pair (%ld sampled, %ld defined)\n"
        "  Lyapunov %.1f ms = %.2f us per unit\n"
        "  memory horizons %.1f ms = %.2f us per sampled unit (%ld sampled, median horizon %ld)\n",
        name, static_cast<long>(l.units()), static_cast<long>(l.tokens()), static_cast<long>(l.n),
        1e3 * t_ranks, 1e9 * t_ranks / pairs, ranks.ctrb.method,
        static_cast<long>(ranks.ctrb.cross_checked), static_cast<long>(ranks.obsv.cross_checked),
        1e3 * t_ranks_bare, 1e9 * t_ranks_bare / pairs, 1e3 * t_reach, 1e6 * t_reach / units,
        1e3 * t_gram, 1e6 * t_gram / static_cast<double>(std::max<Index>(g.sampled, 1)),
        static_cast<long>(g.sampled), static_cast<long>(g.defined), 1e3 * t_lyap,
        1e6 * t_lyap / units, 1e3 * t_memory,
        1e6 * t_memory / static_cast<double>(std::max<std::size_t>(memory.units.size(), 1)),
        static_cast<long>(memory.units.size()), static_cast<long>(memory.horizon_median));
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    const int layers = arg(argc, argv, "--layers", 24);
    const int channels = arg(argc, argv, "--channels", 1536);
    const int threads = arg(argc, argv, "--threads", default_threads());
    const int repeat = std::max(1, arg(argc, argv, "--repeat", 3));
    const Index count = static_cast<Index>(layers) * channels;
    const bool sc_mamba = arg(argc, argv, "--companion", 0) != 0;
    const Index tokens = arg(argc, argv, "--tokens", 256);
    std::printf("bench/analysis: per-layer stages, %ld probe tokens, %d threads\n",
                static_cast<long>(tokens), default_threads());
    bench_stages("Mamba diagonal A", synthetic_layer(StateForm::Diagonal, channels, 16, tokens, 1),
                 repeat);
    bench_stages("Mamba-2 scalar A",
                 synthetic_layer(StateForm::Scalar, channels / 64, 64, tokens, 2), repeat);
    bench_stages("Mamba-2 scalar A",
                 synthetic_layer(StateForm::Scalar, channels / 64, 128, tokens, 3), repeat);
    // A staircase per pair on the selective c_t: a slice of the channels keeps the run short.
    bench_stages("SC-Mamba companion A",
                 synthetic_layer(StateForm::Companion, channels / 16, 16, tokens, 4), repeat);
    if (arg(argc, argv, "--stages-only", 0) != 0)
        return 0;
    const std::vector<StateSpace> systems =
        sc_mamba ? companion_systems(count, 130) : mamba_like_systems(count, 130);
    std::printf(
        "bench/analysis: %d layers x %d channels = %ld SISO systems of order %ld (%s), "
        "%d threads\n",
        layers, channels, static_cast<long>(count), static_cast<long>(kOrder),
        sc_mamba ? "SC-Mamba companion A" : "Mamba diagonal A", threads);

    // Warm-up: page in code and data, let the clock settle.
    for (Index k = 0; k < std::min<Index>(count, 200); ++k)
        (void)analyze_lti(systems[static_cast<std::size_t>(k)],
                          {.tol = std::nullopt, .cross_checks = false});

    // The full report, as `analyze` will run it for every channel of every layer.
    std::vector<LtiReport> reports(static_cast<std::size_t>(count));
    const Timing t_full = time_repeated(repeat, [&] {
        parallel_for(count, threads, [&](Index begin, Index end) {
            for (Index k = begin; k < end; ++k)
                reports[static_cast<std::size_t>(k)] =
                    analyze_lti(systems[static_cast<std::size_t>(k)],
                                {.tol = std::nullopt, .cross_checks = false});
        });
    });

    // Plain Eigen: Krylov matrices and their SVD ranks, nothing else.
    std::vector<int> svd_ranks(static_cast<std::size_t>(count) * 2);
    const Timing t_plain = time_repeated(repeat, [&] {
        parallel_for(count, threads, [&](Index begin, Index end) {
            for (Index k = begin; k < end; ++k) {
                const StateSpace& s = systems[static_cast<std::size_t>(k)];
                svd_ranks[2 * static_cast<std::size_t>(k)] = svd_rank(ctrb(s.A, s.B)).rank;
                svd_ranks[2 * static_cast<std::size_t>(k) + 1] = svd_rank(obsv(s.A, s.C)).rank;
            }
        });
    });

    Summary sum;
    long svd_ctrb_full = 0;
    for (Index k = 0; k < count; ++k) {
        const LtiReport& r = reports[static_cast<std::size_t>(k)];
        sum.ctrb_full += r.ctrb->full();
        sum.obsv_full += r.obsv->full();
        sum.gram_defined += r.gram_c.defined() && r.gram_o.defined();
        if (r.hsv)
            sum.hsv_sum += (*r.hsv)(0);
        svd_ctrb_full += svd_ranks[2 * static_cast<std::size_t>(k)] == kOrder;
    }

    // Where the time goes, single-threaded, on a sample of the same systems.
    const Index sample = std::min<Index>(count, 2000);
    double t_schur = 0, t_stair = 0, t_gram = 0, t_hsv = 0, t_minreal = 0;
    for (Index k = 0; k < sample; ++k) {
        const StateSpace& s = systems[static_cast<std::size_t>(k)];
        auto t = Clock::now();
        const RealSchur schur = real_schur(s.A);
        (void)spectrum(schur.eigenvalues, s.A.norm(), false);
        t_schur += seconds_since(t);
        t = Clock::now();
        (void)ctrb_staircase(s.A, s.B, std::nullopt, false);
        (void)obsv_staircase(s.A, s.C, std::nullopt, false);
        t_stair += seconds_since(t);
        t = Clock::now();
        const Gramian wc = gram(schur, s.B, GramKind::Controllability, false);
        const Gramian wo = gram(schur, s.C, GramKind::Observability, false);
        t_gram += seconds_since(t);
        t = Clock::now();
        (void)hsv(wc, wo);
        t_hsv += seconds_since(t);
        t = Clock::now();
        (void)minreal(s);  // analyze_lti needs it only for non-minimal systems
        t_minreal += seconds_since(t);
    }
    const double us = 1e6 / static_cast<double>(sample);

    std::printf(
        "full report (eigenvalues + stability, staircase ctrb/obsv ranks, both Gramians, HSV, "
        "minimal order): best %.3f s (median %.3f s), %.0f systems/s, %.1f us per system\n",
        t_full.best, t_full.median, static_cast<double>(count) / t_full.best,
        1e6 * t_full.best / static_cast<double>(count));
    std::printf(
        "  per system, 1 thread: Schur + spectrum %.1f us, staircases %.1f us, Gramians "
        "%.1f us, HSV %.1f us (minimal order by TB01PD, needed only when a rank is deficient: %.1f "
        "us)\n",
        t_schur * us, t_stair * us, t_gram * us, t_hsv * us, t_minreal * us);
    std::printf(
        "plain Eigen (Krylov matrices + SVD ranks only): best %.3f s (median %.3f s), %.0f "
        "systems/s\n",
        t_plain.best, t_plain.median, static_cast<double>(count) / t_plain.best);
    std::printf("ratio: the full report takes %.2fx the time of the plain SVD ranks (best times)\n",
                t_full.best / t_plain.best);
    std::printf(
        "results: staircase says controllable %ld/%ld, observable %ld/%ld; SVD of the "
        "Krylov matrix says controllable %ld/%ld; Gramians defined %ld; mean largest HSV %.4f\n",
        sum.ctrb_full, static_cast<long>(count), sum.obsv_full, static_cast<long>(count),
        svd_ctrb_full, static_cast<long>(count), sum.gram_defined,
        sum.hsv_sum / static_cast<double>(count));
    return 0;
}
