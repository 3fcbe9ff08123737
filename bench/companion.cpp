// The companion-form scan of SC-, SO-Mamba and ST-Mamba-2 (kernels/companion_scan.hpp) against
// Mamba-1's selective scan at the same batch, length, channels and state size, in this process:
// forward and forward + backward, float32, every hardware thread, best of --repeat. The ratios
// are what a training step of the Sparse Mamba family pays for its scan beside Mamba's.
//
// Parameters as the models initialise them: SC/SO coefficients uniform in [0, 1]; ST-Mamba-2
// heads of --headdim channels with Butterworth poles on circles of radius in [0.5, 1]; Δ =
// softplus(N(0,1) − 3) (median 0.05) for every scan.
//
//   bench_companion [--batch 8] [--length 256] [--channels 512] [--state 16] [--headdim 16]
//                   [--repeat 5] [--isa NAME]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/isa_option.hpp"
#include "kernels/cpu/companion_scan.hpp"
#include "kernels/cpu/cpu_isa.hpp"
#include "kernels/cpu/selective_scan.hpp"

using namespace ssmscope;
using Clock = std::chrono::steady_clock;

namespace {

template <class F>
double best_of(int repeat, F&& f) {
    f();  // warm-up
    double best = 1e300;
    for (int r = 0; r < repeat; ++r) {
        const auto t0 = Clock::now();
        f();
        best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return best;
}

std::mt19937 rng(7);
std::vector<float> normal(std::int64_t n, float shift = 0) {
    std::normal_distribution<float> d;
    std::vector<float> v(static_cast<std::size_t>(n));
    for (float& x : v)
        x = d(rng) + shift;
    return v;
}
std::vector<float> softplus_delta(std::int64_t n) {
    std::vector<float> v = normal(n, -3);
    for (float& x : v)
        x = std::log1p(std::exp(x));
    return v;
}

// Coefficients a_0 … a_{N−1} of Π (s − p) over Butterworth poles of radius r.
std::vector<double> butterworth(std::int64_t n, double r) {
    std::vector<double> c = {1};  // highest power first
    for (std::int64_t k = 0; k < n / 2; ++k) {
        const double th =
            M_PI * (2.0 * static_cast<double>(k) + 1) / (2.0 * static_cast<double>(n));
        const double re = -r * std::sin(th), m2 = r * r;  // s² − 2 re s + |p|²
        std::vector<double> next(c.size() + 2, 0.0);
        for (std::size_t i = 0; i < c.size(); ++i) {
            next[i] += c[i];
            next[i + 1] += -2 * re * c[i];
            next[i + 2] += m2 * c[i];
        }
        c = next;
    }
    std::vector<double> a(static_cast<std::size_t>(n));
    for (std::int64_t j = 0; j < n; ++j)
        a[static_cast<std::size_t>(j)] = c[static_cast<std::size_t>(n - j)];
    return a;
}

struct Times {
    double fwd, both;
};

Times time_selective(std::int64_t B, std::int64_t L, std::int64_t D, std::int64_t N, int repeat) {
    const std::vector<float> u = normal(B * L * D), delta = softplus_delta(B * L * D),
                             Bm = normal(B * L * N), Cm = normal(B * L * N), dy = normal(B * L * D);
    std::vector<float> A(static_cast<std::size_t>(D * N));
    for (std::int64_t d = 0; d < D; ++d)
        for (std::int64_t n = 0; n < N; ++n)
            A[static_cast<std::size_t>(d * N + n)] = -static_cast<float>(n + 1);  // S4D-real
    kernels::SelectiveScanArgs<float> a;
    a.shape = {B, L, D, N, 1};
    a.u = u.data();
    a.delta = delta.data();
    a.A = A.data();
    a.B = Bm.data();
    a.C = Cm.data();
    std::vector<float> y(u.size()), du(u.size()), dd(u.size()), dA(A.size()), dB(Bm.size()),
        dC(Cm.size());
    kernels::SelectiveScanGrads<float> g;
    g.du = du.data();
    g.ddelta = dd.data();
    g.dA = dA.data();
    g.dB = dB.data();
    g.dC = dC.data();
    Times t;
    t.fwd = best_of(repeat, [&] { kernels::selective_scan_forward<float>(a, y.data(), nullptr); });
    t.both = best_of(repeat, [&] {
        kernels::selective_scan_forward<float>(a, y.data(), nullptr);
        kernels::selective_scan_backward<float>(a, dy.data(), nullptr, g);
    });
    return t;
}

// units × channels = D.
Times time_companion(bool observable, bool poles, std::int64_t B, std::int64_t L, std::int64_t D,
                     std::int64_t N, std::int64_t P, int repeat) {
    const std::int64_t U = D / P;
    std::vector<float> coeffs(static_cast<std::size_t>(U * N));
    std::uniform_real_distribution<double> unit(0, 1);
    for (std::int64_t u = 0; u < U; ++u) {
        const std::vector<double> a = butterworth(N, 0.5 + 0.5 * unit(rng));
        for (std::int64_t j = 0; j < N; ++j)
            coeffs[static_cast<std::size_t>(u * N + j)] =
                static_cast<float>(poles ? a[static_cast<std::size_t>(j)] : unit(rng));
    }
    const std::vector<float> delta = softplus_delta(B * L * U), x = normal(B * L * D),
                             sel = normal(B * L * N), dy = normal(B * L * D);
    kernels::CompanionScanArgs<float> a;
    a.shape = {B, L, U, P, N, 1};
    a.observable = observable;
    a.coeffs = coeffs.data();
    a.delta = delta.data();
    a.x = x.data();
    a.sel = sel.data();
    std::vector<float> y(x.size()), dx(x.size()), dd(delta.size()), dc(coeffs.size()),
        ds(sel.size());
    const kernels::CompanionScanGrads<float> g{dx.data(), dd.data(), dc.data(), ds.data()};
    Times t;
    t.fwd = best_of(repeat, [&] { kernels::companion_scan_forward<float>(a, y.data()); });
    t.both = best_of(repeat, [&] {
        kernels::companion_scan_forward<float>(a, y.data());
        kernels::companion_scan_backward<float>(a, dy.data(), g);
    });
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    std::int64_t B = 8, L = 256, D = 512, N = 16, P = 16;
    int repeat = 5;
    std::string isa_name;
    CLI::App app{"Companion-form scans against Mamba's selective scan, same sizes, same run"};
    app.add_option("--batch", B)->capture_default_str();
    app.add_option("--length", L)->capture_default_str();
    app.add_option("--channels", D, "d_inner")->capture_default_str();
    app.add_option("--state", N)->capture_default_str();
    app.add_option("--headdim", P, "ST-Mamba-2 channels per head")->capture_default_str();
    app.add_option("--repeat", repeat)->capture_default_str();
    app.add_option("--isa", isa_name, "scalar, avx2 or avx512");
    CLI11_PARSE(app, argc, argv);
    if (!bench::select_isa(isa_name, "bench_companion"))
        return 2;
    std::printf("B=%lld L=%lld D=%lld N=%lld, float32, kernels %s\n\n", static_cast<long long>(B),
                static_cast<long long>(L), static_cast<long long>(D), static_cast<long long>(N),
                kernels::to_string(kernels::cpu_isa()).c_str());
    const Times mamba = time_selective(B, L, D, N, repeat);
    std::printf(
        "| scan | fwd (ms) | fwd+bwd (ms) | ns per (token, channel), fwd+bwd | fwd vs Mamba "
        "| fwd+bwd vs Mamba |\n|---|---|---|---|---|---|\n");
    const double per = 1e9 / static_cast<double>(B * L * D);
    const auto row = [&](const char* name, const Times& t) {
        std::printf("| %s | %.1f | %.1f | %.1f | %.2fx | %.2fx |\n", name, 1e3 * t.fwd,
                    1e3 * t.both, per * t.both, t.fwd / mamba.fwd, t.both / mamba.both);
    };
    row("Mamba selective", mamba);
    row("SC-Mamba (controllable)", time_companion(false, false, B, L, D, N, 1, repeat));
    row("SO-Mamba (observable)", time_companion(true, false, B, L, D, N, 1, repeat));
    row("ST-Mamba-2 heads (poles)", time_companion(false, true, B, L, D, N, P, repeat));
    return 0;
}
