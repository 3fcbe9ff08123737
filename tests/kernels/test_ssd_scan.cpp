// The Mamba-2 scalar-A head kernels: forward against the naive loop, float against double,
// gradients against central differences, the step against the scan, 1 thread against 2.
#include <string>

#include <boost/test/unit_test.hpp>

#include "kernels/cpu/ssd_scan.hpp"
#include "tests/kernels/naive.hpp"

using namespace ssmscope;
using namespace ssmscope::kernels;
using namespace ssmscope::test;

namespace {

struct Config {
    std::int64_t batch, L, H, P, N, G, K;
    bool D, bias, softplus;
};

// L = 1, N = 1, P = 1; L not a multiple of K; G = H; more heads per group than the backward's
// partial-sum blocks (10 > 8).
const Config kConfigs[] = {
    {1, 1, 1, 1, 1, 1, 4, true, true, true},    {2, 7, 4, 3, 2, 2, 3, true, true, true},
    {2, 9, 3, 2, 1, 3, 4, false, false, false}, {1, 12, 2, 4, 5, 1, 4, true, false, true},
    {1, 10, 10, 1, 3, 1, 3, true, true, true},
};

std::string name(const Config& c) {
    return "batch " + std::to_string(c.batch) + " L " + std::to_string(c.L) + " H " +
           std::to_string(c.H) + " P " + std::to_string(c.P) + " N " + std::to_string(c.N) + " G " +
           std::to_string(c.G) + " K " + std::to_string(c.K);
}

template <class T>
struct Problem {
    Config cfg;
    std::vector<T> x, delta, A, B, C, D, bias;

    SsdScanArgs<T> args(int threads) const {
        SsdScanArgs<T> a;
        a.shape = {cfg.batch, cfg.L, cfg.H, cfg.P, cfg.N, cfg.G};
        a.x = x.data();
        a.delta = delta.data();
        a.A = A.data();
        a.B = B.data();
        a.C = C.data();
        a.D = D.empty() ? nullptr : D.data();
        a.delta_bias = bias.empty() ? nullptr : bias.data();
        a.delta_softplus = cfg.softplus;
        a.threads = threads;
        a.checkpoint_every = cfg.K;
        return a;
    }

    template <class U>
    Problem<U> as() const {
        return {cfg,        cast<U>(x), cast<U>(delta), cast<U>(A),
                cast<U>(B), cast<U>(C), cast<U>(D),     cast<U>(bias)};
    }
};

Problem<double> make(const Config& c, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    Problem<double> p{c, {}, {}, {}, {}, {}, {}, {}};
    const std::int64_t bc = c.batch * c.L * c.G * c.N;
    p.x = uniform(rng, c.batch * c.L * c.H * c.P, -1, 1);
    p.delta = c.softplus ? uniform(rng, c.batch * c.L * c.H, -3, 0)
                         : uniform(rng, c.batch * c.L * c.H, 0.05, 0.6);
    p.A = uniform(rng, c.H, -3, -0.5);
    p.B = uniform(rng, bc, -1, 1);
    p.C = uniform(rng, bc, -1, 1);
    if (c.D)
        p.D = uniform(rng, c.H, -1, 1);
    if (c.bias)
        p.bias = uniform(rng, c.H, -0.1, 0.1);
    return p;
}

template <class T>
std::vector<T> forward(const Problem<T>& p, std::vector<T>& last, int threads = 0) {
    std::vector<T> y(p.x.size());
    last.assign(static_cast<std::size_t>(p.cfg.batch * p.cfg.H * p.cfg.P * p.cfg.N), T(0));
    ssd_scan_forward(p.args(threads), y.data(), last.data());
    return y;
}

template <class T>
struct Grads {
    std::vector<T> dx, ddelta, dA, dB, dC, dD, dbias;
};

template <class T>
Grads<T> backward(const Problem<T>& p, const std::vector<T>& dy, const std::vector<T>& dlast,
                  int threads = 0) {
    Grads<T> g{std::vector<T>(p.x.size()),   std::vector<T>(p.delta.size()),
               std::vector<T>(p.A.size()),   std::vector<T>(p.B.size()),
               std::vector<T>(p.C.size()),   std::vector<T>(p.D.size()),
               std::vector<T>(p.bias.size())};
    const auto ptr = [](std::vector<T>& v) { return v.empty() ? nullptr : v.data(); };
    const SsdScanGrads<T> out{ptr(g.dx), ptr(g.ddelta), ptr(g.dA),   ptr(g.dB),
                              ptr(g.dC), ptr(g.dD),     ptr(g.dbias)};
    ssd_scan_backward(p.args(threads), dy.data(), dlast.data(), out);
    return g;
}

std::int64_t state_size(const Config& c) {
    return c.batch * c.H * c.P * c.N;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ssd_scan)

BOOST_AUTO_TEST_CASE(forward_matches_naive_loop) {
    std::uint64_t seed = 200;
    for (const Config& c : kConfigs) {
        BOOST_TEST_CONTEXT(name(c)) {
            const Problem<double> p = make(c, seed++);
            Vec last, naive_last;
            const Vec y = forward(p, last);
            const Vec expected = naive_ssd_scan(c.batch, c.L, c.H, c.P, c.N, c.G, p.x, p.delta, p.A,
                                                p.B, p.C, p.D, p.bias, c.softplus, naive_last);
            BOOST_TEST(relative_error(y, expected) <= 1e-12);
            BOOST_TEST(relative_error(last, naive_last) <= 1e-12);
        }
    }
}

BOOST_AUTO_TEST_CASE(float_matches_double) {
    const Config c{2, 40, 4, 8, 16, 2, 16, true, true, true};
    const Problem<double> p = make(c, 207);
    const Problem<float> pf = p.as<float>();
    std::mt19937_64 rng(208);
    const Vec dy = uniform(rng, static_cast<std::int64_t>(p.x.size()), -1, 1);
    const Vec dlast = uniform(rng, state_size(c), -1, 1);
    Vec last;
    std::vector<float> last_f;
    const Vec y = forward(p, last);
    BOOST_TEST(relative_error(cast<double>(forward(pf, last_f)), y) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(last_f), last) <= 1e-5);
    const Grads<double> g = backward(p, dy, dlast);
    const Grads<float> gf = backward(pf, cast<float>(dy), cast<float>(dlast));
    BOOST_TEST(relative_error(cast<double>(gf.dx), g.dx) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.ddelta), g.ddelta) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dA), g.dA) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dB), g.dB) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dC), g.dC) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dD), g.dD) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dbias), g.dbias) <= 1e-5);
}

BOOST_AUTO_TEST_CASE(gradients_match_central_differences) {
    std::uint64_t seed = 300;
    for (const Config& c : kConfigs) {
        BOOST_TEST_CONTEXT(name(c)) {
            Problem<double> p = make(c, seed++);
            std::mt19937_64 rng(seed++);
            const Vec dy = uniform(rng, static_cast<std::int64_t>(p.x.size()), -1, 1);
            const Vec dlast = uniform(rng, state_size(c), -1, 1);
            const Grads<double> g = backward(p, dy, dlast);
            const auto loss = [&] {
                Vec last;
                const Vec y = forward(p, last);
                return dot(dy, y) + dot(dlast, last);
            };
            const std::pair<const char*, std::pair<Vec*, const Vec*>> inputs[] = {
                {"x", {&p.x, &g.dx}},
                {"delta", {&p.delta, &g.ddelta}},
                {"A", {&p.A, &g.dA}},
                {"B", {&p.B, &g.dB}},
                {"C", {&p.C, &g.dC}},
                {"D", {&p.D, &g.dD}},
                {"delta_bias", {&p.bias, &g.dbias}},
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
    for (const Config& c : {kConfigs[1], kConfigs[4]}) {
        BOOST_TEST_CONTEXT(name(c)) {
            const Problem<double> p = make(c, 221);
            Vec last;
            const Vec y = forward(p, last);
            const std::int64_t HP = c.H * c.P, GN = c.G * c.N;
            Vec state(static_cast<std::size_t>(state_size(c)), 0.0), y_step(y.size());
            for (std::int64_t t = 0; t < c.L; ++t) {
                Problem<double> one = p;
                one.cfg.L = 1;
                one.x.clear();
                one.delta.clear();
                one.B.clear();
                one.C.clear();
                for (std::int64_t b = 0; b < c.batch; ++b) {
                    const auto bt = b * c.L + t;
                    one.x.insert(one.x.end(), p.x.begin() + bt * HP, p.x.begin() + (bt + 1) * HP);
                    one.delta.insert(one.delta.end(), p.delta.begin() + bt * c.H,
                                     p.delta.begin() + (bt + 1) * c.H);
                    one.B.insert(one.B.end(), p.B.begin() + bt * GN, p.B.begin() + (bt + 1) * GN);
                    one.C.insert(one.C.end(), p.C.begin() + bt * GN, p.C.begin() + (bt + 1) * GN);
                }
                Vec yt(static_cast<std::size_t>(c.batch * HP));
                ssd_scan_step(one.args(0), state.data(), yt.data());
                for (std::int64_t b = 0; b < c.batch; ++b)
                    std::copy(yt.begin() + b * HP, yt.begin() + (b + 1) * HP,
                              y_step.begin() + (b * c.L + t) * HP);
            }
            BOOST_TEST(bitwise_equal(y_step, y));
            BOOST_TEST(bitwise_equal(state, last));
        }
    }
}

BOOST_AUTO_TEST_CASE(thread_count_does_not_change_results) {
    const Config c{3, 50, 12, 4, 8, 2, 16, true, true, true};
    const Problem<double> p = make(c, 231);
    std::mt19937_64 rng(232);
    const Vec dy = uniform(rng, static_cast<std::int64_t>(p.x.size()), -1, 1);
    const Vec dlast = uniform(rng, state_size(c), -1, 1);
    Vec last1, last2;
    BOOST_TEST(bitwise_equal(forward(p, last1, 1), forward(p, last2, 2)));
    BOOST_TEST(bitwise_equal(last1, last2));
    const Grads<double> g1 = backward(p, dy, dlast, 1), g2 = backward(p, dy, dlast, 2);
    BOOST_TEST(bitwise_equal(g1.dx, g2.dx));
    BOOST_TEST(bitwise_equal(g1.ddelta, g2.ddelta));
    BOOST_TEST(bitwise_equal(g1.dA, g2.dA));
    BOOST_TEST(bitwise_equal(g1.dB, g2.dB));
    BOOST_TEST(bitwise_equal(g1.dC, g2.dC));
    BOOST_TEST(bitwise_equal(g1.dD, g2.dD));
    BOOST_TEST(bitwise_equal(g1.dbias, g2.dbias));
}

BOOST_AUTO_TEST_CASE(rejects_bad_shapes) {
    const Problem<double> p = make(kConfigs[1], 3);
    SsdScanArgs<double> a = p.args(1);
    Vec y(p.x.size());
    a.shape.groups = 3;  // does not divide H = 4
    BOOST_CHECK_THROW(ssd_scan_forward(a, y.data(), static_cast<double*>(nullptr)),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
