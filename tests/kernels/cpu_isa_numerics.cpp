// The checks of the CPU selective scan's per-instruction-set paths that are no row of the
// conformance table (test_backend_ops.cpp, whose program this file joins): softplus, the decay
// exp(Δ·A) and SiLU over their whole range against the C library, NaN reaching exactly the
// outputs it should, the powers path for an S4D-real A taken exactly where A is harmonic, and an
// instruction set the CPU lacks being refused.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

// The module (and main) is test_backend_ops.cpp's; this file only adds test cases to it.
#undef BOOST_TEST_MODULE
#include <boost/test/unit_test.hpp>

#include "kernels/cpu/cpu_isa.hpp"
#include "kernels/cpu/harmonic_spectrum.hpp"
#include "kernels/cpu/selective_scan.hpp"
#include "kernels/selective_scan.hpp"
#include "tests/kernels/backend_ops.hpp"

using namespace ssmscope;
using namespace ssmscope::kernels;
using namespace ssmscope::test;

namespace {

using FVec = std::vector<float>;

struct Shape {
    std::int64_t batch, L, E, N, G;
};

struct Inputs {
    Shape s;
    Vec u, delta, A, B, C, D, z, bias;
};

Inputs make(const Shape& s, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    const std::int64_t seq = s.batch * s.L * s.E, bc = s.batch * s.L * s.G * s.N;
    return {s,
            uniform(rng, seq, -1, 1),
            uniform(rng, seq, -4, 1),  // before softplus: Δ from 0.018 to 1.3
            uniform(rng, s.E * s.N, -3, -0.2),
            uniform(rng, bc, -1, 1),
            uniform(rng, bc, -1, 1),
            uniform(rng, s.E, -1, 1),
            uniform(rng, seq, -3, 3),
            uniform(rng, s.E, -0.2, 0.2)};
}

SelectiveScanArgs<float> args(const Shape& s, const FVec& u, const FVec& delta, const FVec& A,
                              const FVec& B, const FVec& C, const FVec& D, const FVec& z,
                              const FVec& bias) {
    SelectiveScanArgs<float> a;
    a.shape = {s.batch, s.L, s.E, s.N, s.G};
    a.u = u.data();
    a.delta = delta.data();
    a.A = A.data();
    a.B = B.data();
    a.C = C.data();
    a.D = D.empty() ? nullptr : D.data();
    a.z = z.empty() ? nullptr : z.data();
    a.delta_bias = bias.empty() ? nullptr : bias.data();
    a.delta_softplus = true;
    return a;
}

// The bound for the functions below follows their condition number κ = |x f'(x)/f(x)|: a float
// argument, itself known to half an ulp, already leaves κ·2^−24 of relative uncertainty; the
// kernels may spend twice that (they scale the argument by log2 e once more) plus a few ulp for
// the polynomials.
double bound(double kappa) {
    return (4 + 2 * std::abs(kappa)) * 0x1p-24;
}
double sigmoid(double x) {
    return 1 / (1 + std::exp(-x));
}

// y of a one-channel, one-state scan with B = C = u = 1, D = 0, no gate: y_0 = Δ_0 and, with
// u_1 = 0, y_1 = exp(Δ_1·A)·Δ_0. Lets a test read softplus and the decay straight off the kernel.
FVec probe(const FVec& dt, const FVec& A, std::int64_t L, std::int64_t E, bool use_softplus,
           const FVec& u, const FVec& z = {}) {
    const FVec ones(static_cast<std::size_t>(L), 1.0f);  // B, C: (1, L, 1, 1)
    SelectiveScanArgs<float> a;
    a.shape = {1, L, E, 1, 1};
    a.u = u.data();
    a.delta = dt.data();
    a.A = A.data();
    a.B = ones.data();
    a.C = ones.data();
    a.z = z.empty() ? nullptr : z.data();
    a.delta_softplus = use_softplus;
    FVec y(static_cast<std::size_t>(L * E));
    selective_scan_forward<float>(a, y.data(), nullptr);
    return y;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cpu_isa_numerics)

BOOST_AUTO_TEST_CASE(softplus_decay_and_silu_over_their_range) {
    const IsaGuard guard;
    // 41 channels (two full AVX-512 blocks and a partial one), dt from −40 to 40.
    const std::int64_t E = 41;
    FVec dt(static_cast<std::size_t>(2 * E)), A(static_cast<std::size_t>(E), -1.0f);
    FVec u(dt.size(), 1.0f);
    for (std::int64_t d = 0; d < E; ++d)
        dt[static_cast<std::size_t>(d)] = -40.0f + 2.0f * static_cast<float>(d);
    for (CpuIsa isa : available_cpu_isas()) {
        BOOST_TEST_CONTEXT(to_string(isa)) {
            set_cpu_isa(isa);
            const FVec y = probe(dt, A, 1, E, true, u);
            for (std::int64_t d = 0; d < E; ++d) {
                const double x = dt[static_cast<std::size_t>(d)];
                const double sp = x > 20 ? x : std::log1p(std::exp(x));
                BOOST_TEST_CONTEXT("softplus(" << x << ")") {
                    BOOST_TEST(std::abs(y[static_cast<std::size_t>(d)] / sp - 1) <=
                               bound(x * sigmoid(x) / sp));
                }
            }

            // Decays: Δ_0 = 1 and Δ_1 = 1 with A from −0.01 to −140, so exp(Δ·A) spans 0.99 to
            // 1.6e-61 (below the float range: the kernels give 0 under 2^−126).
            FVec dt2(static_cast<std::size_t>(2 * E), 1.0f), A2(static_cast<std::size_t>(E));
            FVec u2(dt2.size(), 0.0f);
            for (std::int64_t d = 0; d < E; ++d) {
                A2[static_cast<std::size_t>(d)] = -0.01f * std::pow(1.3f, static_cast<float>(d));
                u2[static_cast<std::size_t>(d)] = 1.0f;  // u_0 = 1, u_1 = 0
            }
            const FVec y2 = probe(dt2, A2, 2, E, false, u2);
            for (std::int64_t d = 0; d < E; ++d) {
                const double expected =
                    std::exp(static_cast<double>(A2[static_cast<std::size_t>(d)]));
                const float got = y2[static_cast<std::size_t>(E + d)];
                BOOST_TEST_CONTEXT("exp(" << A2[static_cast<std::size_t>(d)] << ")") {
                    if (expected > 1.2e-38)  // 2^−126
                        BOOST_TEST(std::abs(got / expected - 1) <=
                                   bound(A2[static_cast<std::size_t>(d)]));
                    else
                        BOOST_TEST(got <= expected * 2);  // 0, or the denormal, never more
                }
            }

            // SiLU through the gate: y = Δ·SiLU(z) with Δ = 1 (no softplus), z from −40 to 40.
            FVec dt3(static_cast<std::size_t>(E), 1.0f), z(static_cast<std::size_t>(E));
            FVec u3(dt3.size(), 1.0f);
            for (std::int64_t d = 0; d < E; ++d)
                z[static_cast<std::size_t>(d)] = -40.0f + 2.0f * static_cast<float>(d);
            const FVec y3 = probe(dt3, A, 1, E, false, u3, z);
            for (std::int64_t d = 0; d < E; ++d) {
                const double zd = z[static_cast<std::size_t>(d)];
                const double silu = zd / (1 + std::exp(-zd));
                BOOST_TEST_CONTEXT("silu(" << zd << ")") {
                    BOOST_TEST(std::abs(y3[static_cast<std::size_t>(d)] - silu) <=
                               bound(1 + zd * (1 - sigmoid(zd))) * std::abs(silu));
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(nan_reaches_its_channel_and_no_other) {
    const IsaGuard guard;
    const Shape s{1, 6, 20, 16, 1};
    const Inputs in = make(s, 3);
    FVec u = cast<float>(in.u), delta = cast<float>(in.delta), A = cast<float>(in.A),
         B = cast<float>(in.B), C = cast<float>(in.C), D = cast<float>(in.D), z = cast<float>(in.z),
         bias = cast<float>(in.bias);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    A[static_cast<std::size_t>(3 * s.N + 7)] = nan;       // channel 3, state 7
    delta[static_cast<std::size_t>(2 * s.E + 17)] = nan;  // channel 17 from step 2 on
    for (CpuIsa isa : available_cpu_isas()) {
        BOOST_TEST_CONTEXT(to_string(isa)) {
            set_cpu_isa(isa);
            FVec y(u.size());
            selective_scan_forward<float>(args(s, u, delta, A, B, C, D, z, bias), y.data(),
                                          nullptr);
            for (std::int64_t t = 0; t < s.L; ++t)
                for (std::int64_t d = 0; d < s.E; ++d) {
                    const bool should = d == 3 || (d == 17 && t >= 2);
                    BOOST_TEST_CONTEXT("t " << t << " channel " << d) {
                        BOOST_TEST(std::isnan(y[static_cast<std::size_t>(t * s.E + d)]) == should);
                    }
                }
        }
    }
}

// The S4D-real A as mamba_ssm builds it in float, A = −exp(log(n + 1)) for every channel, is
// harmonic (each row within an ulp of (n + 1)·A[d, 0]); moving one entry by 2^−18 of itself makes
// its row not. The lane kernels decide per block of channels: they take the powers path for
// every block of the first (forward and backward both: the counter moves by one per block each)
// and for every block of the second but the one holding channel 21 (one per batch row), and all
// agree with the naive double loop, whose decays are exp(Δ·A[n]) of the float A itself.
BOOST_AUTO_TEST_CASE(s4d_real_a_takes_the_powers_path_and_only_it) {
    const IsaGuard guard;
    const Shape s{2, 80, 40, 16, 1};
    const Inputs in = make(s, 11);
    FVec A(static_cast<std::size_t>(s.E * s.N));
    for (std::int64_t d = 0; d < s.E; ++d)
        for (std::int64_t n = 0; n < s.N; ++n)
            A[static_cast<std::size_t>(d * s.N + n)] =
                -std::exp(std::log(static_cast<float>(n + 1)));
    FVec moved = A;
    moved[static_cast<std::size_t>(21 * s.N + 9)] *= 1 + 0x1p-18f;
    BOOST_TEST(harmonic_rows(A.data(), s.E, s.N));
    BOOST_TEST(!harmonic_rows(moved.data(), s.E, s.N));
    BOOST_TEST(!harmonic_rows(moved.data() + 21 * s.N, 1, s.N));
    BOOST_TEST(harmonic_rows(moved.data(), 21, s.N));  // the rows before the moved one

    const FVec u = cast<float>(in.u), delta = cast<float>(in.delta), B = cast<float>(in.B),
               C = cast<float>(in.C), D = cast<float>(in.D), z = cast<float>(in.z),
               bias = cast<float>(in.bias);
    const FVec dy(u.size(), 1.0f);
    for (CpuIsa isa : available_cpu_isas()) {
        if (isa == CpuIsa::Scalar)
            continue;
        const std::int64_t width = isa == CpuIsa::Avx512 ? 16 : 8;
        const std::int64_t blocks = s.batch * ((s.E + width - 1) / width);
        for (const FVec* a : {&A, &moved}) {
            const bool harmonic = a == &A;
            const std::int64_t expected = harmonic ? blocks : blocks - s.batch;
            BOOST_TEST_CONTEXT(to_string(isa) << (harmonic ? " S4D-real A" : " one entry moved")) {
                set_cpu_isa(isa);
                Vec last;
                const Vec want = naive_selective_scan(
                    s.batch, s.L, s.E, s.N, s.G, cast<double>(u), cast<double>(delta),
                    cast<double>(*a), cast<double>(B), cast<double>(C), cast<double>(D),
                    cast<double>(z), cast<double>(bias), true, last);
                const SelectiveScanArgs<float> sa = args(s, u, delta, *a, B, C, D, z, bias);
                FVec y(u.size());
                const std::int64_t before = selective_scan_power_blocks();
                selective_scan_forward<float>(sa, y.data(), nullptr);
                BOOST_TEST(selective_scan_power_blocks() - before == expected);
                double worst = 0, scale = 0;
                for (std::size_t i = 0; i < y.size(); ++i) {
                    worst = std::max(worst, std::abs(y[i] - want[i]));
                    scale = std::max(scale, std::abs(want[i]));
                }
                BOOST_TEST(worst <= 1e-5 * scale);

                FVec du(u.size()), ddelta(u.size()), dA(A.size()), dB(B.size()), dC(C.size()),
                    dD(D.size()), dz(u.size()), dbias(bias.size());
                const SelectiveScanGrads<float> g{du.data(), ddelta.data(), dA.data(),
                                                  dB.data(), dC.data(),     dD.data(),
                                                  dz.data(), dbias.data()};
                const std::int64_t before_backward = selective_scan_power_blocks();
                selective_scan_backward<float>(sa, dy.data(), nullptr, g);
                BOOST_TEST(selective_scan_power_blocks() - before_backward == expected);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(an_unavailable_instruction_set_is_refused) {
    const IsaGuard guard;
    const std::vector<CpuIsa> all = available_cpu_isas();
    BOOST_TEST((all.front() == CpuIsa::Scalar));
    for (CpuIsa isa : {CpuIsa::Avx2, CpuIsa::Avx512})
        if (std::find(all.begin(), all.end(), isa) == all.end())
            BOOST_CHECK_THROW(set_cpu_isa(isa), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
