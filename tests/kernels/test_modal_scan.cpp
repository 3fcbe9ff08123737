// The modal (complex-diagonal) scan kernels of the companion-form models: forward against a naive
// std::complex loop, float against double, gradients against central differences (real and
// imaginary parts apart), the step against the scan, 1 thread against 2.
#include <string>

#include <boost/test/unit_test.hpp>

#include "kernels/cpu/modal_scan.hpp"
#include "tests/kernels/naive.hpp"

using namespace ssmscope;
using namespace ssmscope::kernels;
using namespace ssmscope::test;

namespace {

struct Config {
    std::int64_t batch, L, U, P, N, K;
    bool g_selective, o_selective;
    bool zero_pole;  // λ[0, 0] = 0, where φ(Δ, λ) = Δ
};

// The controllable form (g fixed, o selective: SC-Mamba), the observable one (g selective, o
// fixed: SO-Mamba), P > 1 channels sharing the poles (ST-Mamba-2 heads), both selective; L = 1,
// N = 1, L not a multiple of K, K > L, a zero pole.
const Config kConfigs[] = {
    {1, 1, 1, 1, 1, 4, false, true, false}, {2, 7, 3, 1, 4, 3, false, true, true},
    {2, 9, 2, 1, 3, 4, true, false, false}, {1, 12, 2, 4, 2, 4, false, true, false},
    {2, 6, 2, 3, 2, 64, true, true, false},
};

std::string name(const Config& c) {
    return "batch " + std::to_string(c.batch) + " L " + std::to_string(c.L) + " U " +
           std::to_string(c.U) + " P " + std::to_string(c.P) + " N " + std::to_string(c.N) + " K " +
           std::to_string(c.K) + (c.g_selective ? " g selective" : " g fixed") +
           (c.o_selective ? " o selective" : " o fixed");
}

template <class T>
struct Problem {
    Config cfg;
    std::vector<T> x, delta, lr, li, gr, gi, orr, oi;

    ModalScanArgs<T> args(int threads) const {
        ModalScanArgs<T> a;
        a.shape = {cfg.batch, cfg.L, cfg.U, cfg.P, cfg.N};
        a.x = x.data();
        a.delta = delta.data();
        a.lambda_re = lr.data();
        a.lambda_im = li.data();
        a.g_re = gr.data();
        a.g_im = gi.data();
        a.g_selective = cfg.g_selective;
        a.o_re = orr.data();
        a.o_im = oi.data();
        a.o_selective = cfg.o_selective;
        a.threads = threads;
        a.checkpoint_every = cfg.K;
        return a;
    }

    template <class U>
    Problem<U> as() const {
        return {cfg,         cast<U>(x),  cast<U>(delta), cast<U>(lr), cast<U>(li),
                cast<U>(gr), cast<U>(gi), cast<U>(orr),   cast<U>(oi)};
    }
};

std::int64_t gain_size(const Config& c, bool selective) {
    return selective ? c.batch * c.L * c.U * c.N : c.U * c.N;
}

std::int64_t state_size(const Config& c) {
    return c.batch * c.U * c.P * c.N;
}

Problem<double> make(const Config& c, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    Problem<double> p{c, {}, {}, {}, {}, {}, {}, {}, {}};
    p.x = uniform(rng, c.batch * c.L * c.U * c.P, -1, 1);
    p.delta = uniform(rng, c.batch * c.L * c.U, 0.05, 0.6);
    // Stable poles, some nearly real, some oscillating.
    p.lr = uniform(rng, c.U * c.N, -2, -0.1);
    p.li = uniform(rng, c.U * c.N, -3, 3);
    if (c.zero_pole)
        p.lr[0] = p.li[0] = 0;
    p.gr = uniform(rng, gain_size(c, c.g_selective), -1, 1);
    p.gi = uniform(rng, gain_size(c, c.g_selective), -1, 1);
    p.orr = uniform(rng, gain_size(c, c.o_selective), -1, 1);
    p.oi = uniform(rng, gain_size(c, c.o_selective), -1, 1);
    return p;
}

template <class T>
std::vector<T> forward(const Problem<T>& p, std::vector<T>& last_re, std::vector<T>& last_im,
                       int threads = 0) {
    std::vector<T> y(p.x.size());
    last_re.assign(static_cast<std::size_t>(state_size(p.cfg)), T(0));
    last_im = last_re;
    modal_scan_forward(p.args(threads), y.data(), last_re.data(), last_im.data());
    return y;
}

template <class T>
struct Grads {
    std::vector<T> dx, ddelta, dlr, dli, dgr, dgi, dor, doi;
};

template <class T>
Grads<T> backward(const Problem<T>& p, const std::vector<T>& dy, const std::vector<T>& dlast_re,
                  const std::vector<T>& dlast_im, int threads = 0) {
    Grads<T> g{std::vector<T>(p.x.size()),   std::vector<T>(p.delta.size()),
               std::vector<T>(p.lr.size()),  std::vector<T>(p.li.size()),
               std::vector<T>(p.gr.size()),  std::vector<T>(p.gi.size()),
               std::vector<T>(p.orr.size()), std::vector<T>(p.oi.size())};
    const ModalScanGrads<T> out{g.dx.data(),  g.ddelta.data(), g.dlr.data(), g.dli.data(),
                                g.dgr.data(), g.dgi.data(),    g.dor.data(), g.doi.data()};
    modal_scan_backward(p.args(threads), dy.data(), dlast_re.data(), dlast_im.data(), out);
    return g;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(modal_scan)

BOOST_AUTO_TEST_CASE(forward_matches_naive_loop) {
    std::uint64_t seed = 400;
    for (const Config& c : kConfigs) {
        BOOST_TEST_CONTEXT(name(c)) {
            const Problem<double> p = make(c, seed++);
            Vec last_re, last_im, naive_re, naive_im;
            const Vec y = forward(p, last_re, last_im);
            const Vec expected =
                naive_modal_scan(c.batch, c.L, c.U, c.P, c.N, p.x, p.delta, p.lr, p.li, p.gr, p.gi,
                                 c.g_selective, p.orr, p.oi, c.o_selective, naive_re, naive_im);
            BOOST_TEST(relative_error(y, expected) <= 1e-12);
            BOOST_TEST(relative_error(last_re, naive_re) <= 1e-12);
            BOOST_TEST(relative_error(last_im, naive_im) <= 1e-12);
        }
    }
}

BOOST_AUTO_TEST_CASE(float_matches_double) {
    const Config c{2, 40, 3, 4, 8, 16, false, true, false};
    const Problem<double> p = make(c, 407);
    const Problem<float> pf = p.as<float>();
    std::mt19937_64 rng(408);
    const Vec dy = uniform(rng, static_cast<std::int64_t>(p.x.size()), -1, 1);
    const Vec dre = uniform(rng, state_size(c), -1, 1), dim = uniform(rng, state_size(c), -1, 1);
    Vec lr, li;
    std::vector<float> lr_f, li_f;
    const Vec y = forward(p, lr, li);
    BOOST_TEST(relative_error(cast<double>(forward(pf, lr_f, li_f)), y) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(lr_f), lr) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(li_f), li) <= 1e-5);
    const Grads<double> g = backward(p, dy, dre, dim);
    const Grads<float> gf = backward(pf, cast<float>(dy), cast<float>(dre), cast<float>(dim));
    BOOST_TEST(relative_error(cast<double>(gf.dx), g.dx) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.ddelta), g.ddelta) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dlr), g.dlr) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dli), g.dli) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dgr), g.dgr) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dgi), g.dgi) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.dor), g.dor) <= 1e-5);
    BOOST_TEST(relative_error(cast<double>(gf.doi), g.doi) <= 1e-5);
}

BOOST_AUTO_TEST_CASE(gradients_match_central_differences) {
    std::uint64_t seed = 500;
    for (const Config& c : kConfigs) {
        BOOST_TEST_CONTEXT(name(c)) {
            Problem<double> p = make(c, seed++);
            std::mt19937_64 rng(seed++);
            const Vec dy = uniform(rng, static_cast<std::int64_t>(p.x.size()), -1, 1);
            const Vec dre = uniform(rng, state_size(c), -1, 1);
            const Vec dim = uniform(rng, state_size(c), -1, 1);
            const Grads<double> g = backward(p, dy, dre, dim);
            const auto loss = [&] {
                Vec lr, li;
                const Vec y = forward(p, lr, li);
                return dot(dy, y) + dot(dre, lr) + dot(dim, li);
            };
            const std::pair<const char*, std::pair<Vec*, const Vec*>> inputs[] = {
                {"x", {&p.x, &g.dx}},           {"delta", {&p.delta, &g.ddelta}},
                {"lambda_re", {&p.lr, &g.dlr}}, {"lambda_im", {&p.li, &g.dli}},
                {"g_re", {&p.gr, &g.dgr}},      {"g_im", {&p.gi, &g.dgi}},
                {"o_re", {&p.orr, &g.dor}},     {"o_im", {&p.oi, &g.doi}},
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
    for (const Config& c : {kConfigs[1], kConfigs[3], kConfigs[4]}) {
        BOOST_TEST_CONTEXT(name(c)) {
            const Problem<double> p = make(c, 421);
            Vec last_re, last_im;
            const Vec y = forward(p, last_re, last_im);
            const std::int64_t UP = c.U * c.P, UN = c.U * c.N;
            Vec zr(static_cast<std::size_t>(state_size(c)), 0.0), zi = zr, y_step(y.size());
            for (std::int64_t t = 0; t < c.L; ++t) {
                Problem<double> one = p;
                one.cfg.L = 1;
                one.x.clear();
                one.delta.clear();
                if (c.g_selective)
                    one.gr.clear(), one.gi.clear();
                if (c.o_selective)
                    one.orr.clear(), one.oi.clear();
                const auto take = [](Vec& to, const Vec& from, std::int64_t at, std::int64_t n) {
                    to.insert(to.end(), from.begin() + at * n, from.begin() + (at + 1) * n);
                };
                for (std::int64_t b = 0; b < c.batch; ++b) {
                    const std::int64_t bt = b * c.L + t;
                    take(one.x, p.x, bt, UP);
                    take(one.delta, p.delta, bt, c.U);
                    if (c.g_selective) {
                        take(one.gr, p.gr, bt, UN);
                        take(one.gi, p.gi, bt, UN);
                    }
                    if (c.o_selective) {
                        take(one.orr, p.orr, bt, UN);
                        take(one.oi, p.oi, bt, UN);
                    }
                }
                Vec yt(static_cast<std::size_t>(c.batch * UP));
                modal_scan_step(one.args(0), zr.data(), zi.data(), yt.data());
                for (std::int64_t b = 0; b < c.batch; ++b)
                    std::copy(yt.begin() + b * UP, yt.begin() + (b + 1) * UP,
                              y_step.begin() + (b * c.L + t) * UP);
            }
            BOOST_TEST(bitwise_equal(y_step, y));
            BOOST_TEST(bitwise_equal(zr, last_re));
            BOOST_TEST(bitwise_equal(zi, last_im));
        }
    }
}

BOOST_AUTO_TEST_CASE(thread_count_does_not_change_results) {
    const Config c{3, 50, 6, 4, 8, 16, false, true, false};
    const Problem<double> p = make(c, 431);
    std::mt19937_64 rng(432);
    const Vec dy = uniform(rng, static_cast<std::int64_t>(p.x.size()), -1, 1);
    const Vec dre = uniform(rng, state_size(c), -1, 1), dim = uniform(rng, state_size(c), -1, 1);
    Vec r1, i1, r2, i2;
    BOOST_TEST(bitwise_equal(forward(p, r1, i1, 1), forward(p, r2, i2, 2)));
    BOOST_TEST(bitwise_equal(r1, r2));
    BOOST_TEST(bitwise_equal(i1, i2));
    const Grads<double> g1 = backward(p, dy, dre, dim, 1), g2 = backward(p, dy, dre, dim, 2);
    BOOST_TEST(bitwise_equal(g1.dx, g2.dx));
    BOOST_TEST(bitwise_equal(g1.ddelta, g2.ddelta));
    BOOST_TEST(bitwise_equal(g1.dlr, g2.dlr));
    BOOST_TEST(bitwise_equal(g1.dli, g2.dli));
    BOOST_TEST(bitwise_equal(g1.dgr, g2.dgr));
    BOOST_TEST(bitwise_equal(g1.dgi, g2.dgi));
    BOOST_TEST(bitwise_equal(g1.dor, g2.dor));
    BOOST_TEST(bitwise_equal(g1.doi, g2.doi));
}

BOOST_AUTO_TEST_CASE(rejects_missing_inputs) {
    const Problem<double> p = make(kConfigs[1], 3);
    ModalScanArgs<double> a = p.args(1);
    a.o_re = nullptr;
    Vec y(p.x.size());
    BOOST_CHECK_THROW(modal_scan_forward(a, y.data(), static_cast<double*>(nullptr),
                                         static_cast<double*>(nullptr)),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
