// The float forward and step of the Mamba-1 scan on every instruction set this CPU runs (the
// lane-parallel kernels of AVX2 and AVX-512, and the scalar loop): against the naive loop in
// double, softplus, the decay exp(Δ·A) and SiLU over their whole range against the C library,
// the step against the scan, and NaN reaching exactly the outputs it should.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <boost/test/unit_test.hpp>

#include "kernels/cpu/cpu_isa.hpp"
#include "kernels/cpu/selective_scan.hpp"
#include "tests/kernels/naive.hpp"

using namespace ssmscope;
using namespace ssmscope::kernels;
using namespace ssmscope::test;

namespace {

using FVec = std::vector<float>;

// Restores the instruction set chosen before the test.
struct IsaGuard {
    CpuIsa saved = cpu_isa();
    ~IsaGuard() { set_cpu_isa(saved); }
};

struct Shape {
    std::int64_t batch, L, E, N, G;
};

// N = 16 (states in registers) and N = 5 (states in memory); E = 37, not a multiple of 8 or 16
// (a partial last block); groups of 32 channels (whole blocks) and of 8 (whole AVX2 blocks, not
// AVX-512 ones: those fall back to the scalar loop).
const Shape kShapes[] = {
    {2, 33, 32, 16, 1}, {1, 20, 37, 5, 1}, {2, 17, 64, 16, 2}, {1, 9, 24, 3, 3}, {3, 1, 16, 16, 1},
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

std::string label(CpuIsa isa, const Shape& s) {
    return to_string(isa) + " batch " + std::to_string(s.batch) + " L " + std::to_string(s.L) +
           " E " + std::to_string(s.E) + " N " + std::to_string(s.N) + " G " + std::to_string(s.G);
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

BOOST_AUTO_TEST_SUITE(selective_scan_lanes)

BOOST_AUTO_TEST_CASE(float_forward_matches_naive_double_on_every_instruction_set) {
    const IsaGuard guard;
    BOOST_TEST_MESSAGE("instruction sets here: " << available_cpu_isas().size());
    std::uint64_t seed = 100;
    for (const Shape& s : kShapes) {
        const Inputs in = make(s, seed++);
        Vec naive_last;
        const Vec expected =
            naive_selective_scan(s.batch, s.L, s.E, s.N, s.G, in.u, in.delta, in.A, in.B, in.C,
                                 in.D, in.z, in.bias, true, naive_last);
        const FVec u = cast<float>(in.u), delta = cast<float>(in.delta), A = cast<float>(in.A),
                   B = cast<float>(in.B), C = cast<float>(in.C), D = cast<float>(in.D),
                   z = cast<float>(in.z), bias = cast<float>(in.bias);
        for (CpuIsa isa : available_cpu_isas()) {
            BOOST_TEST_CONTEXT(label(isa, s)) {
                set_cpu_isa(isa);
                FVec y(in.u.size()), last(static_cast<std::size_t>(s.batch * s.E * s.N), -1.0f);
                selective_scan_forward<float>(args(s, u, delta, A, B, C, D, z, bias), y.data(),
                                              last.data());
                // A few float roundings per step, damped by the decays: the same bound as the
                // scalar float path's test.
                BOOST_TEST(relative_error(cast<double>(y), expected) <= 1e-5);
                BOOST_TEST(relative_error(cast<double>(last), naive_last) <= 1e-5);
            }
        }
    }
}

// Every gradient of the float backward on each instruction set against the double backward (the
// scalar loops, themselves checked against central differences in test_selective_scan.cpp), with
// chunks of 7 steps so that the recomputation from checkpoints is exercised, and a gradient
// reaching the last state.
BOOST_AUTO_TEST_CASE(float_backward_matches_double_on_every_instruction_set) {
    const IsaGuard guard;
    std::uint64_t seed = 200;
    for (const Shape& s : kShapes) {
        const Inputs in = make(s, seed++);
        std::mt19937_64 rng(seed++);
        const Vec dy = uniform(rng, s.batch * s.L * s.E, -1, 1);
        const Vec dlast = uniform(rng, s.batch * s.E * s.N, -1, 1);
        const auto run = [&](auto zero) {
            using T = decltype(zero);
            const auto c = [](const Vec& v) { return cast<T>(v); };
            const std::vector<T> u = c(in.u), delta = c(in.delta), A = c(in.A), B = c(in.B),
                                 C = c(in.C), D = c(in.D), z = c(in.z), bias = c(in.bias),
                                 dyT = c(dy), dlastT = c(dlast);
            SelectiveScanArgs<T> a;
            a.shape = {s.batch, s.L, s.E, s.N, s.G};
            a.u = u.data();
            a.delta = delta.data();
            a.A = A.data();
            a.B = B.data();
            a.C = C.data();
            a.D = D.data();
            a.z = z.data();
            a.delta_bias = bias.data();
            a.delta_softplus = true;
            a.checkpoint_every = 7;
            std::vector<std::vector<T>> g{u, delta, A, B, C, D, z, bias};
            const SelectiveScanGrads<T> out{g[0].data(), g[1].data(), g[2].data(), g[3].data(),
                                            g[4].data(), g[5].data(), g[6].data(), g[7].data()};
            selective_scan_backward<T>(a, dyT.data(), dlastT.data(), out);
            std::vector<Vec> back;
            for (const auto& v : g)
                back.push_back(cast<double>(v));
            return back;
        };
        const std::vector<Vec> expected = run(0.0);
        const char* names[] = {"du", "ddelta", "dA", "dB", "dC", "dD", "dz", "dbias"};
        for (CpuIsa isa : available_cpu_isas()) {
            set_cpu_isa(isa);
            const std::vector<Vec> got = run(0.0f);
            for (std::size_t i = 0; i < got.size(); ++i) {
                BOOST_TEST_CONTEXT(label(isa, s) << " " << names[i]) {
                    // Sums over the sequence, the batch and the channels: a few more float
                    // roundings than y, as in test_selective_scan.cpp.
                    BOOST_TEST(relative_error(got[i], expected[i]) <= 1e-5);
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(float_backward_does_not_depend_on_the_thread_count) {
    const IsaGuard guard;
    const Shape s{3, 40, 72, 16, 1};  // 5 AVX-512 blocks, 9 AVX2 blocks: unequal partial sums
    const Inputs in = make(s, 9);
    const FVec u = cast<float>(in.u), delta = cast<float>(in.delta), A = cast<float>(in.A),
               B = cast<float>(in.B), C = cast<float>(in.C), D = cast<float>(in.D),
               z = cast<float>(in.z), bias = cast<float>(in.bias);
    std::mt19937_64 rng(10);
    const FVec dy = cast<float>(uniform(rng, s.batch * s.L * s.E, -1, 1));
    for (CpuIsa isa : available_cpu_isas()) {
        BOOST_TEST_CONTEXT(to_string(isa)) {
            set_cpu_isa(isa);
            std::vector<FVec> results;
            for (int threads : {1, 2}) {
                SelectiveScanArgs<float> a = args(s, u, delta, A, B, C, D, z, bias);
                a.threads = threads;
                a.checkpoint_every = 16;
                std::vector<FVec> g{u, delta, A, B, C, D, z, bias};
                const SelectiveScanGrads<float> out{g[0].data(), g[1].data(), g[2].data(),
                                                    g[3].data(), g[4].data(), g[5].data(),
                                                    g[6].data(), g[7].data()};
                selective_scan_backward<float>(a, dy.data(), nullptr, out);
                for (const FVec& v : g)
                    results.push_back(v);
            }
            for (std::size_t i = 0; i < 8; ++i)
                BOOST_TEST(bitwise_equal(results[i], results[i + 8]));
        }
    }
}

BOOST_AUTO_TEST_CASE(step_continues_the_scan_bitwise) {
    const IsaGuard guard;
    const Shape s{2, 12, 37, 16, 1};
    const Inputs in = make(s, 7);
    const FVec u = cast<float>(in.u), delta = cast<float>(in.delta), A = cast<float>(in.A),
               B = cast<float>(in.B), C = cast<float>(in.C), D = cast<float>(in.D),
               z = cast<float>(in.z), bias = cast<float>(in.bias);
    for (CpuIsa isa : available_cpu_isas()) {
        BOOST_TEST_CONTEXT(to_string(isa)) {
            set_cpu_isa(isa);
            FVec y(u.size()), last(static_cast<std::size_t>(s.batch * s.E * s.N));
            selective_scan_forward<float>(args(s, u, delta, A, B, C, D, z, bias), y.data(),
                                          last.data());
            // Token by token from a zero state, slicing step t out of every (batch, L, …) array.
            FVec state(last.size(), 0.0f), y_step(y.size());
            for (std::int64_t t = 0; t < s.L; ++t) {
                FVec ut, dtt, zt, Bt, Ct, yt(static_cast<std::size_t>(s.batch * s.E));
                for (std::int64_t b = 0; b < s.batch; ++b) {
                    const auto at = (b * s.L + t) * s.E, bc = (b * s.L + t) * s.N;
                    ut.insert(ut.end(), u.begin() + at, u.begin() + at + s.E);
                    dtt.insert(dtt.end(), delta.begin() + at, delta.begin() + at + s.E);
                    zt.insert(zt.end(), z.begin() + at, z.begin() + at + s.E);
                    Bt.insert(Bt.end(), B.begin() + bc, B.begin() + bc + s.N);
                    Ct.insert(Ct.end(), C.begin() + bc, C.begin() + bc + s.N);
                }
                const Shape one{s.batch, 1, s.E, s.N, s.G};
                selective_scan_step<float>(args(one, ut, dtt, A, Bt, Ct, D, zt, bias), state.data(),
                                           yt.data());
                for (std::int64_t b = 0; b < s.batch; ++b)
                    std::copy(yt.begin() + b * s.E, yt.begin() + (b + 1) * s.E,
                              y_step.begin() + (b * s.L + t) * s.E);
            }
            BOOST_TEST(bitwise_equal(y_step, y));
            BOOST_TEST(bitwise_equal(state, last));
        }
    }
}

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

BOOST_AUTO_TEST_CASE(an_unavailable_instruction_set_is_refused) {
    const IsaGuard guard;
    const std::vector<CpuIsa> all = available_cpu_isas();
    BOOST_TEST((all.front() == CpuIsa::Scalar));
    for (CpuIsa isa : {CpuIsa::Avx2, CpuIsa::Avx512})
        if (std::find(all.begin(), all.end(), isa) == all.end())
            BOOST_CHECK_THROW(set_cpu_isa(isa), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
