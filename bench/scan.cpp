// The fused Mamba-1 selective scan of kernels/ (float, D skip and SiLU gate, delta already
// positive) against, in the same run: the naive LibTorch reference (model/nn/selective_scan: a
// time loop of torch ops, with autograd for the backward) and the machine's memory bandwidth,
// measured here by a STREAM-like copy on all hardware threads.
//
// Effective bandwidth counts the bytes that must move: every input read once and every output
// written once (forward: u, delta, z, A, B, C, D in, y out; forward + backward: those, dy in and
// every gradient out). The naive reference is skipped where its (b, l, E, N) intermediates would
// exceed --naive-gb.
//
// The CPU kernels run with the widest instruction set the CPU has unless --isa names another
// (scalar, avx2, avx512), to compare them. Two last lines tell what bounds the forward on this
// machine: its time with the data in cache against in memory, and the time the recurrence's
// multiply-adds alone take at the rate the cores measure (a floor for any kernel), with the
// forward's distance from that floor for both kinds of A the kernel tells apart: a general
// spectrum (here random, one exp per state) and the S4D-real one, A = −(1, …, N) (every Mamba's
// initialisation; the decays are then powers of one exp per step).
//
//   bench_scan [--repeat 3] [--naive-gb 8] [--quick] [--isa NAME]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include "bench/fma_rate.hpp"
#include "bench/isa_option.hpp"
#include "kernels/cpu/cpu_isa.hpp"
#include "kernels/cpu/selective_scan.hpp"
#include "kernels/selective_scan.hpp"
#include "model/nn/selective_scan.hpp"

using namespace ssmscope;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

template <class F>
double best_of(int repeat, F&& f) {
    double best = 1e300;
    for (int r = 0; r < repeat; ++r) {
        const auto t0 = Clock::now();
        f();
        best = std::min(best, seconds_since(t0));
    }
    return best;
}

// STREAM "copy": b = a over 2 × 512 MiB, split over the hardware threads; bytes read + written.
double copy_bandwidth() {
    const std::size_t n = std::size_t{128} << 20;  // floats
    std::vector<float> a(n, 1.0f), b(n, 0.0f);
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    const double s = best_of(5, [&] {
        std::vector<std::thread> pool;
        for (unsigned t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                const std::size_t lo = n * t / threads, hi = n * (t + 1) / threads;
                std::copy(a.begin() + static_cast<std::ptrdiff_t>(lo),
                          a.begin() + static_cast<std::ptrdiff_t>(hi),
                          b.begin() + static_cast<std::ptrdiff_t>(lo));
            });
        }
        for (auto& th : pool)
            th.join();
    });
    return 2.0 * static_cast<double>(n * sizeof(float)) / s / 1e9;
}

// The size the acceptance figures are quoted at.
constexpr std::int64_t kAcceptB = 8, kAcceptL = 2048, kAcceptD = 1536;
constexpr double kAcceptTokenChannels = double{kAcceptB * kAcceptL * kAcceptD};

// The inputs of the table's runs at (B, L, D), N = 16, with the kernel's arguments pointing at
// them.
struct ScanInputs {
    torch::Tensor u, delta, z, A, B, C, D, y;
    kernels::SelectiveScanArgs<float> args;

    ScanInputs(std::int64_t b, std::int64_t l, std::int64_t d, bool s4d_real = false) {
        const std::int64_t N = 16;
        torch::manual_seed(0);
        const auto f = torch::kFloat32;
        u = torch::randn({b, l, d}, f);
        delta = torch::nn::functional::softplus(torch::randn({b, l, d}, f) - 3);
        z = torch::randn({b, l, d}, f);
        // S4D-real as mamba_ssm builds it: A = −exp(A_log), A_log = log(1, …, N) per channel.
        A = s4d_real ? -torch::log(torch::arange(1, N + 1, f)).repeat({d, 1}).exp()
                     : -torch::rand({d, N}, f) * 4 - 0.5;
        B = torch::randn({b, l, N}, f);
        C = torch::randn({b, l, N}, f);
        D = torch::randn({d}, f);
        y = torch::empty({b, l, d}, f);
        args.shape = {b, l, d, N, 1};
        args.u = u.data_ptr<float>();
        args.delta = delta.data_ptr<float>();
        args.A = A.data_ptr<float>();
        args.B = B.data_ptr<float>();
        args.C = C.data_ptr<float>();
        args.D = D.data_ptr<float>();
        args.z = z.data_ptr<float>();
    }
    void forward() { kernels::selective_scan_forward<float>(args, y.data_ptr<float>(), nullptr); }
};

// Best forward time of the kernel at (B, L, D), after a warm-up.
double forward_seconds(std::int64_t B, std::int64_t L, std::int64_t D, int repeat) {
    ScanInputs in(B, L, D);
    in.forward();
    return best_of(repeat, [&] { in.forward(); });
}

// The time the recurrence's multiply-adds alone take at B=8, L=2048, D=1536, N = 16 (three per
// (token, channel, state)) at the rate all `threads` cores reach at once, measured now.
double floor_seconds(kernels::CpuIsa isa, std::int64_t threads) {
    std::vector<double> rates(static_cast<std::size_t>(threads));
    std::vector<std::thread> pool;
    for (std::int64_t t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            rates[static_cast<std::size_t>(t)] =
                isa == kernels::CpuIsa::Avx512 ? bench::fma_rate_avx512() : bench::fma_rate_avx2();
        });
    for (auto& th : pool)
        th.join();
    double rate = 0;
    for (double r : rates)
        rate += r;
    return 3.0 * kAcceptTokenChannels * 16 / rate;
}

// Whether the forward is bound by memory or by arithmetic: the same kernel on a problem whose
// sequence arrays stay in the caches (64 channels per thread over 256 steps: 256 KB of u, Δ, z
// and y per thread), against the acceptance size (its forward time from the table, `accept_fwd`).
// Equal times per (token, channel) mean that the arithmetic bounds it, and the in-cache rate is
// then the most this kernel can move from memory.
void print_ceiling(double stream, int repeat, double accept_fwd, double accept_fwd_s4d) {
    const std::int64_t threads = std::max(1u, std::thread::hardware_concurrency());
    const std::int64_t cached_D = 64 * threads, cached_L = 256;
    const double cached = forward_seconds(1, cached_L, cached_D, 20 * repeat) /
                          static_cast<double>(cached_L * cached_D);
    const double big = accept_fwd / kAcceptTokenChannels;
    const double ceiling = 16.0 / cached / 1e9;  // u, delta, z, y: 16 bytes per (token, channel)
    std::printf(
        "\nForward per (token, channel), N = 16: %.2f ns with the data in cache (B=1, L=%lld, "
        "D=%lld), %.2f ns at B=8, L=2048, D=1536 (memory/cache %.2f). At the in-cache rate the "
        "forward would move %.2f GB/s, %.1f%% of the copy: the ceiling of its arithmetic on this "
        "CPU.\n",
        cached * 1e9, static_cast<long long>(cached_L), static_cast<long long>(cached_D), big * 1e9,
        big / cached, ceiling, 100 * ceiling / stream);

    // A floor for any kernel: per (token, channel, state) the recurrence itself takes three
    // multiplications or multiply-adds (Δ·u·B, Ā·h + that, and C·h added to y), before exp(Δ·A).
    const kernels::CpuIsa isa = kernels::cpu_isa();
    if (isa == kernels::CpuIsa::Scalar)
        return;
    const double bytes = 16.0 * kAcceptTokenChannels;
    const double floor = floor_seconds(isa, threads);
    std::printf(
        "Multiply-adds: %.1f G lanes/s on %lld threads (%s). The recurrence alone, 3 per (token, "
        "channel, state), takes at least %.1f ms at B=8, L=2048, D=1536, so no forward can move "
        "more than %.1f%% of the copy here (50%% would take %.1f ms).\n",
        3.0 * kAcceptTokenChannels * 16 / floor / 1e9, static_cast<long long>(threads),
        kernels::to_string(isa).c_str(), floor * 1e3, 100 * bytes / floor / 1e9 / stream,
        1e3 * bytes / (0.5 * stream * 1e9));

    // The forward against the floor, each round timing the floor and both forwards one after
    // the other, so that a round's ratios see the same state of the machine (shared cores change
    // speed by 1.5x from one second to the next); the median round is printed.
    ScanInputs general(kAcceptB, kAcceptL, kAcceptD, false),
        s4d(kAcceptB, kAcceptL, kAcceptD, true);
    general.forward();
    s4d.forward();
    std::vector<double> ratio_general, ratio_s4d;
    for (int r = 0; r < std::max(5, repeat); ++r) {
        const double f = floor_seconds(isa, threads);
        ratio_general.push_back(best_of(1, [&] { general.forward(); }) / f);
        ratio_s4d.push_back(best_of(1, [&] { s4d.forward(); }) / f);
    }
    const auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    std::printf(
        "Forward at B=8, L=2048, D=1536 against that floor (median of %zu interleaved rounds): "
        "%.2fx with a general A, %.2fx with the S4D-real A (best times %.1f ms and %.1f ms).\n",
        ratio_general.size(), median(ratio_general), median(ratio_s4d), accept_fwd * 1e3,
        accept_fwd_s4d * 1e3);
}

}  // namespace

// One row of the table at (B, L, D) with the general or the S4D-real A: the kernel's forward and
// forward + backward, and the naive reference's where its intermediates fit in naive_gb.
// Returns the kernel's forward time.
double table_row(std::int64_t B, std::int64_t L, std::int64_t D, bool s4d, int repeat,
                 double naive_gb, double stream) {
    const std::int64_t N = 16;
    ScanInputs in(B, L, D, s4d);
    const kernels::SelectiveScanArgs<float>& a = in.args;
    const torch::Tensor dy = torch::randn({B, L, D}, torch::kFloat32);
    std::vector<torch::Tensor> g;
    for (const auto& t : {in.u, in.delta, in.A, in.B, in.C, in.D, in.z})
        g.push_back(torch::empty_like(t));
    kernels::SelectiveScanGrads<float> grads{g[0].data_ptr<float>(), g[1].data_ptr<float>(),
                                             g[2].data_ptr<float>(), g[3].data_ptr<float>(),
                                             g[4].data_ptr<float>(), g[5].data_ptr<float>(),
                                             g[6].data_ptr<float>(), nullptr};

    const int r = L * B >= 8 * 8192 ? 1 : repeat;
    in.forward();  // warm-up
    const double fwd = best_of(r, [&] { in.forward(); });
    const double both = best_of(r, [&] {
        in.forward();
        kernels::selective_scan_backward<float>(a, dy.data_ptr<float>(), nullptr, grads);
    });
    const double seq = static_cast<double>(B * L * D) * 4,
                 small = static_cast<double>(2 * B * L * N + D * N + D) * 4;
    const double fwd_bytes = 4 * seq + small;               // u, delta, z, y + B, C, A, D
    const double both_bytes = fwd_bytes + 4 * seq + small;  // + dy, du, ddelta, dz, small grads

    // The naive reference, when its intermediates fit.
    const double naive_bytes = 3.0 * static_cast<double>(B * L * D * N) * 4;
    double naive_fwd = -1, naive_bwd = -1;
    if (naive_bytes / 1e9 <= naive_gb) {
        std::vector<torch::Tensor> leaves;
        for (const auto& t : {in.u, in.delta, in.A, in.B, in.C, in.D, in.z})
            leaves.push_back(t.detach().clone().requires_grad_());
        // Repeat (after a warm-up) where that is cheap; the first call into a fresh
        // allocation pays page faults the steady state does not.
        const int rn = naive_bytes < 1e9 ? repeat : 1;
        if (naive_bytes < 1e9) {
            torch::NoGradGuard no_grad;
            model::selective_scan(leaves[0], leaves[1], leaves[2], leaves[3], leaves[4], leaves[5]);
        }
        naive_fwd = best_of(rn, [&] {
            torch::NoGradGuard no_grad;
            model::selective_scan(leaves[0], leaves[1], leaves[2], leaves[3], leaves[4],
                                  leaves[5]) *
                torch::silu(leaves[6]);
        });
        naive_bwd = best_of(rn, [&] {
            const torch::Tensor out = model::selective_scan(leaves[0], leaves[1], leaves[2],
                                                            leaves[3], leaves[4], leaves[5]) *
                                      torch::silu(leaves[6]);
            (out * dy).sum().backward();
        });
    }
    const auto ratio = [](double naive, double ours) {
        return naive > 0 ? std::to_string(naive / ours).substr(0, 5) + "x" : std::string("—");
    };
    const double fwd_gbs = fwd_bytes / fwd / 1e9, both_gbs = both_bytes / both / 1e9;
    std::printf(
        "| %lld | %lld | %lld | %s | %.4f | %.2f | %s | %.1f%% | %.4f | %.2f | %s | %s | %s |\n",
        static_cast<long long>(B), static_cast<long long>(L), static_cast<long long>(D),
        s4d ? "S4D-real" : "general", fwd, fwd_gbs, ratio(naive_fwd, fwd).c_str(),
        100 * fwd_gbs / stream, both, both_gbs,
        ratio(naive_bwd > 0 ? naive_bwd - naive_fwd : -1, both - fwd).c_str(),
        naive_fwd > 0 ? std::to_string(naive_fwd).substr(0, 6).c_str() : "—",
        naive_bwd > 0 ? std::to_string(naive_bwd).substr(0, 6).c_str() : "—");
    std::fflush(stdout);
    return fwd;
}

int main(int argc, char** argv) {
    int repeat = 3;
    double naive_gb = 8;
    bool quick = false;
    CLI::App app{"Fused selective scan against the naive LibTorch scan and the memory bandwidth"};
    app.add_option("--repeat", repeat, "best of this many runs")->capture_default_str();
    app.add_option("--naive-gb", naive_gb, "largest naive intermediates to allow (GB)")
        ->capture_default_str();
    app.add_flag("--quick", quick, "only the acceptance size B=8, L=2048, D=1536");
    std::string isa_name;
    app.add_option("--isa", isa_name, "instruction set of the CPU kernels: scalar, avx2, avx512");
    CLI11_PARSE(app, argc, argv);
    if (!bench::select_isa(isa_name, "bench_scan"))
        return 2;

    const double stream = copy_bandwidth();
    std::printf(
        "STREAM-like copy: %.2f GB/s (%u hardware threads); torch threads %d; kernels %s\n\n",
        stream, std::thread::hardware_concurrency(), torch::get_num_threads(),
        kernels::to_string(kernels::cpu_isa()).c_str());
    std::printf(
        "| B | L | D | A | fwd (s) | fwd GB/s | fwd vs naive | fwd vs copy | fwd+bwd (s) | "
        "fwd+bwd GB/s | bwd vs naive | naive fwd (s) | naive fwd+bwd (s) |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    // The forward at the acceptance size with a general and the S4D-real A, for print_ceiling;
    // the other sizes with the general one only.
    double accept_fwd = 0, accept_fwd_s4d = 0;
    for (std::int64_t B : {1, 8}) {
        for (std::int64_t L : {256, 2048, 8192}) {
            for (std::int64_t D : {768, 1536}) {
                const bool accept = B == kAcceptB && L == kAcceptL && D == kAcceptD;
                if (quick && !accept)
                    continue;
                const double fwd = table_row(B, L, D, false, repeat, naive_gb, stream);
                if (accept) {
                    accept_fwd = fwd;
                    accept_fwd_s4d = table_row(B, L, D, true, repeat, naive_gb, stream);
                }
            }
        }
    }
    print_ceiling(stream, repeat, accept_fwd, accept_fwd_s4d);
    return 0;
}
