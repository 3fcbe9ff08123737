// The Mamba-1 selective-scan kernels: forward against the naive loop, float against double,
// gradients against central differences, the step against the scan, 1 thread against 2.
#include <string>

#include <boost/test/unit_test.hpp>

#include "kernels/cpu/selective_scan.hpp"
#include "tests/kernels/naive.hpp"

using namespace ssmscope;
using namespace ssmscope::kernels;
using namespace ssmscope::test;

namespace {

struct Config {
    std::int64_t batch, L, E, N, G, K;
    bool D, z, bias, softplus;
};

// L = 1 and N = 1; L not a multiple of the chunk K; several G; K > L; more channels per group than
// the backward's partial-sum blocks (9 > 8), so blocks of unequal size.
const Config kConfigs[] = {
    {1, 1, 1, 1, 1, 4, true, true, true, true},    {2, 7, 4, 3, 2, 3, true, true, true, true},
    {2, 9, 6, 1, 3, 4, true, false, false, false}, {1, 12, 4, 5, 1, 4, false, true, false, true},
    {3, 5, 8, 2, 4, 64, true, false, true, true},  {1, 10, 9, 2, 1, 3, true, true, true, true},
};

std::string name(const Config& c) {
    return "batch " + std::to_string(c.batch) + " L " + std::to_string(c.L) + " E " +
           std::to_string(c.E) + " N " + std::to_string(c.N) + " G " + std::to_string(c.G) + " K " +
           std::to_string(c.K);
}

template <class T>
struct Problem {
    Config cfg;
    std::vector<T> u, delta, A, B, C, D, z, bias;

    SelectiveScanArgs<T> args(int threads) const {
        SelectiveScanArgs<T> a;
        a.shape = {cfg.batch, cfg.L, cfg.E, cfg.N, cfg.G};
        a.u = u.data();
        a.delta = delta.data();
        a.A = A.data();
        a.B = B.data();
        a.C = C.data();
        a.D = D.empty() ? nullptr : D.data();
        a.z = z.empty() ? nullptr : z.data();
        a.delta_bias = bias.empty() ? nullptr : bias.data();
        a.delta_softplus = cfg.softplus;
        a.threads = threads;
        a.checkpoint_every = cfg.K;
        return a;
    }

    template <class U>
    Problem<U> as() const {
        return {cfg,        cast<U>(u), cast<U>(delta), cast<U>(A),   cast<U>(B),
                cast<U>(C), cast<U>(D), cast<U>(z),     cast<U>(bias)};
    }
};

Problem<double> make(const Config& c, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    const std::int64_t seq = c.batch * c.L * c.E, bc = c.batch * c.L * c.G * c.N;
    Problem<double> p{c, {}, {}, {}, {}, {}, {}, {}, {}};
    p.u = uniform(rng, seq, -1, 1);
    // Δ in about (0.05, 0.7) either way; A stable, as trained models have it.
    p.delta = c.softplus ? uniform(rng, seq, -3, 0) : uniform(rng, seq, 0.05, 0.6);
    p.A = uniform(rng, c.E * c.N, -2, -0.3);
    p.B = uniform(rng, bc, -1, 1);
    p.C = uniform(rng, bc, -1, 1);
    if (c.D)
        p.D = uniform(rng, c.E, -1, 1);
    if (c.z)
        p.z = uniform(rng, seq, -2, 2);
    if (c.bias)
        p.bias = uniform(rng, c.E, -0.1, 0.1);
    return p;
}

template <class T>
std::vector<T> forward(const Problem<T>& p, std::vector<T>& last, int threads = 0) {
    std::vector<T> y(p.u.size());
    last.assign(static_cast<std::size_t>(p.cfg.batch * p.cfg.E * p.cfg.N), T(0));
    selective_scan_forward(p.args(threads), y.data(), last.data());
    return y;
}

template <class T>
struct Grads {
    std::vector<T> du, ddelta, dA, dB, dC, dD, dz, dbias;
};

template <class T>
Grads<T> backward(const Problem<T>& p, const std::vector<T>& dy, const std::vector<T>& dlast,
                  int threads = 0) {
    Grads<T> g{std::vector<T>(p.u.size()), std::vector<T>(p.delta.size()),
               std::vector<T>(p.A.size()), std::vector<T>(p.B.size()),
               std::vector<T>(p.C.size()), std::vector<T>(p.D.size()),
               std::vector<T>(p.z.size()), std::vector<T>(p.bias.size())};
    const auto ptr = [](std::vector<T>& v) { return v.empty() ? nullptr : v.data(); };
    SelectiveScanGrads<T> out{ptr(g.du), ptr(g.ddelta), ptr(g.dA), ptr(g.dB),
                              ptr(g.dC), ptr(g.dD),     ptr(g.dz), ptr(g.dbias)};
    selective_scan_backward(p.args(threads), dy.data(), dlast.data(), out);
    return g;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(selective_scan)

BOOST_AUTO_TEST_CASE(forward_matches_naive_loop) {
    std::uint64_t seed = 1;
    for (const Config& c : kConfigs) {
        BOOST_TEST_CONTEXT(name(c)) {
            const Problem<double> p = make(c, seed++);
            Vec last, naive_last;
            const Vec y = forward(p, last);
            const Vec expected =
                naive_selective_scan(c.batch, c.L, c.E, c.N, c.G, p.u, p.delta, p.A, p.B, p.C, p.D,
                                     p.z, p.bias, c.softplus, naive_last);
            BOOST_TEST(relative_error(y, expected) <= 1e-12);
            BOOST_TEST(relative_error(last, naive_last) <= 1e-12);
        }
    }
}

BOOST_AUTO_TEST_CASE(float_matches_double) {
    const Config c{2, 40, 8, 16, 2, 16, true, true, true, true};
    const Problem<double> p = make(c, 7);
    const Problem<float> pf = p.as<float>();
    std::mt19937_64 rng(8);
    const Vec dy = uniform(rng, static_cast<std::int64_t>(p.u.size()), -1, 1);
    const Vec dlast = uniform(rng, c.batch * c.E * c.N, -1, 1);

    Vec last;
    std::vector<float> last_f;
    const Vec y = forward(p, last);
    const std::vector<float> yf = forward(pf, last_f);
    BOOST_TEST(relative_error(cast<double>(yf), y) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(last_f), last) <= 1e-5);

    // Gradients sum over the sequence and the batch: a few more float roundings than y.
    const Grads<double> g = backward(p, dy, dlast);
    const Grads<float> gf = backward(pf, cast<float>(dy), cast<float>(dlast));
    BOOST_TEST(relative_error(cast<double>(gf.du), g.du) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.ddelta), g.ddelta) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dA), g.dA) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dB), g.dB) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dC), g.dC) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dD), g.dD) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dz), g.dz) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dbias), g.dbias) <= 1e-5);
}

BOOST_AUTO_TEST_CASE(gradients_match_central_differences) {
    std::uint64_t seed = 100;
    for (const Config& c : kConfigs) {
        BOOST_TEST_CONTEXT(name(c)) {
            Problem<double> p = make(c, seed++);
            std::mt19937_64 rng(seed++);
            const Vec dy = uniform(rng, static_cast<std::int64_t>(p.u.size()), -1, 1);
            const Vec dlast = uniform(rng, c.batch * c.E * c.N, -1, 1);
            const Grads<double> g = backward(p, dy, dlast);
            // The loss whose gradient the backward returns for this dy and dlast.
            const auto loss = [&] {
                Vec last;
                const Vec y = forward(p, last);
                return dot(dy, y) + dot(dlast, last);
            };
            const std::pair<const char*, std::pair<Vec*, const Vec*>> inputs[] = {
                {"u", {&p.u, &g.du}}, {"delta", {&p.delta, &g.ddelta}},
                {"A", {&p.A, &g.dA}}, {"B", {&p.B, &g.dB}},
                {"C", {&p.C, &g.dC}}, {"D", {&p.D, &g.dD}},
                {"z", {&p.z, &g.dz}}, {"delta_bias", {&p.bias, &g.dbias}},
            };
            for (const auto& [label, io] : inputs) {
                const Vec numeric = central_differences(*io.first, loss);
                BOOST_TEST_CONTEXT(label) {
                    BOOST_TEST(relative_error(*io.second, numeric) <= 1e-6);
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(step_iterated_equals_scan) {
    for (const Config& c : {kConfigs[1], kConfigs[5]}) {
        BOOST_TEST_CONTEXT(name(c)) {
            const Problem<double> p = make(c, 21);
            Vec last;
            const Vec y = forward(p, last);
            const std::int64_t E = c.E, GN = c.G * c.N;
            Vec state(static_cast<std::size_t>(c.batch * E * c.N), 0.0), y_step(y.size());
            // One token at a time: gather the (batch, E) and (batch, G, N) slices of step t.
            for (std::int64_t t = 0; t < c.L; ++t) {
                Vec u, delta, z, B, C, yt(static_cast<std::size_t>(c.batch * E));
                for (std::int64_t b = 0; b < c.batch; ++b) {
                    const auto at = (b * c.L + t) * E;
                    u.insert(u.end(), p.u.begin() + at, p.u.begin() + at + E);
                    delta.insert(delta.end(), p.delta.begin() + at, p.delta.begin() + at + E);
                    if (c.z)
                        z.insert(z.end(), p.z.begin() + at, p.z.begin() + at + E);
                    const auto bc = (b * c.L + t) * GN;
                    B.insert(B.end(), p.B.begin() + bc, p.B.begin() + bc + GN);
                    C.insert(C.end(), p.C.begin() + bc, p.C.begin() + bc + GN);
                }
                Problem<double> one = p;
                one.cfg.L = 1;
                one.u = u;
                one.delta = delta;
                one.z = z;
                one.B = B;
                one.C = C;
                selective_scan_step(one.args(0), state.data(), yt.data());
                for (std::int64_t b = 0; b < c.batch; ++b)
                    std::copy(yt.begin() + b * E, yt.begin() + (b + 1) * E,
                              y_step.begin() + (b * c.L + t) * E);
            }
            BOOST_TEST(bitwise_equal(y_step, y));
            BOOST_TEST(bitwise_equal(state, last));
        }
    }
}

BOOST_AUTO_TEST_CASE(thread_count_does_not_change_results) {
    const Config c{3, 50, 24, 8, 2, 16, true, true, true, true};
    const Problem<double> p = make(c, 31);
    const Problem<float> pf = p.as<float>();
    std::mt19937_64 rng(32);
    const Vec dy = uniform(rng, static_cast<std::int64_t>(p.u.size()), -1, 1);
    const Vec dlast = uniform(rng, c.batch * c.E * c.N, -1, 1);
    Vec last1, last2;
    BOOST_TEST(bitwise_equal(forward(p, last1, 1), forward(p, last2, 2)));
    BOOST_TEST(bitwise_equal(last1, last2));
    std::vector<float> lf1, lf2;
    BOOST_TEST(bitwise_equal(forward(pf, lf1, 1), forward(pf, lf2, 2)));
    const Grads<double> g1 = backward(p, dy, dlast, 1), g2 = backward(p, dy, dlast, 2);
    BOOST_TEST(bitwise_equal(g1.du, g2.du));
    BOOST_TEST(bitwise_equal(g1.ddelta, g2.ddelta));
    BOOST_TEST(bitwise_equal(g1.dA, g2.dA));
    BOOST_TEST(bitwise_equal(g1.dB, g2.dB));
    BOOST_TEST(bitwise_equal(g1.dC, g2.dC));
    BOOST_TEST(bitwise_equal(g1.dD, g2.dD));
    BOOST_TEST(bitwise_equal(g1.dz, g2.dz));
    BOOST_TEST(bitwise_equal(g1.dbias, g2.dbias));
}

BOOST_AUTO_TEST_CASE(rejects_bad_shapes) {
    Problem<double> p = make(kConfigs[1], 3);
    SelectiveScanArgs<double> a = p.args(1);
    Vec y(p.u.size());
    a.shape.groups = 3;  // does not divide E = 4
    BOOST_CHECK_THROW(selective_scan_forward(a, y.data(), static_cast<double*>(nullptr)),
                      std::invalid_argument);
    a = p.args(1);
    a.B = nullptr;
    BOOST_CHECK_THROW(selective_scan_forward(a, y.data(), static_cast<double*>(nullptr)),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
