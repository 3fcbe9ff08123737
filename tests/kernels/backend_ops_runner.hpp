// The checks of the conformance table, written once for every op and backend (backend_ops.hpp
// describes the op traits they run on). A backend is an op's Kernels<T>: the CPU kernels, or the
// CUDA ones behind host-pointer adapters (cuda_backend.hpp), so the same code checks both.
#pragma once

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <boost/test/unit_test.hpp>

#include "tests/kernels/backend_ops.hpp"

namespace ssmscope::test {

// One case made ready: its inputs, the naive outputs, the upstream gradients of the loss
// L = dy·y + Σ_k dstate_k·state_k, and the gradient references.
template <class Op>
struct Prepared {
    typename Op::Config cfg;
    std::string label;
    std::vector<Input> in;
    Arrays<double> naive;   // y, then the final-state parts
    Vec dy;                 // (y)
    Arrays<double> dstate;  // one per state part, empty when the case passes no dlast
    // Per input (empty where absent): the exact gradient, from central differences of the naive
    // loop when `central`, else from the CPU double backward.
    Arrays<double> reference;
    bool central = false;
    // Per input: a random direction v and (L(x + hv) − L(x − hv)) / 2h on the naive loop.
    Arrays<double> direction;
    std::vector<double> directional;
};

template <class Op>
double naive_loss(const Prepared<Op>& p) {
    const Arrays<double> out = Op::naive(p.cfg, p.in);
    double loss = dot(p.dy, out[0]);
    for (std::size_t k = 0; k < p.dstate.size(); ++k)
        if (!p.dstate[k].empty())
            loss += dot(p.dstate[k], out[k + 1]);
    return loss;
}

template <class Op>
std::vector<std::int64_t> output_sizes(const typename Op::Config& c) {
    std::vector<std::int64_t> sizes{Op::y_size(c)};
    for (std::int64_t n : Op::state_sizes(c))
        sizes.push_back(n);
    return sizes;
}

// The outputs and gradients of one backend run, in double.
struct Run {
    Arrays<double> out, grads;
};

template <class Op, class T>
Run run(const typename Op::template Kernels<T>& k, const Prepared<Op>& p, int threads) {
    const Arrays<T> in = cast_all<T>(values(p.in));
    Arrays<T> out = nan_buffers<T>(output_sizes<Op>(p.cfg));
    Op::forward(k, p.cfg, in, threads, out);
    std::vector<std::int64_t> sizes;
    for (const Input& i : p.in)
        sizes.push_back(static_cast<std::int64_t>(i.values.size()));
    Arrays<T> grads = nan_buffers<T>(sizes);
    Op::backward(k, p.cfg, in, threads, cast<T>(p.dy), cast_all<T>(p.dstate), grads);
    return {cast_all<double>(out), cast_all<double>(grads)};
}

template <class Op>
Prepared<Op> prepare(const typename Op::Config& c, std::uint64_t seed, bool with_references) {
    Prepared<Op> p;
    p.cfg = c;
    p.label = Op::label(c);
    p.in = Op::inputs(c, seed);
    p.naive = Op::naive(c, p.in);
    std::mt19937_64 rng(seed + 1000);
    p.dy = uniform(rng, Op::y_size(c), -1, 1);
    for (std::int64_t n : Op::state_sizes(c))
        p.dstate.push_back(c.dlast ? uniform(rng, n, -1, 1) : Vec{});
    if (!with_references)
        return p;
    std::int64_t entries = 0;
    for (const Input& i : p.in)
        entries += static_cast<std::int64_t>(i.values.size());
    p.central = entries * Op::work(c) <= kCentralDifferenceBudget;
    const auto loss = [&p] { return naive_loss(p); };
    if (p.central) {
        for (Input& i : p.in)
            p.reference.push_back(i.values.empty() ? Vec{} : central_differences(i.values, loss));
    } else {
        p.reference = run<Op, double>(Op::template cpu<double>(), p, 0).grads;
    }
    const double h = 1e-5;
    for (Input& i : p.in) {
        const Vec x0 = i.values;
        const Vec v = uniform(rng, static_cast<std::int64_t>(x0.size()), -1, 1);
        for (std::size_t j = 0; j < x0.size(); ++j)
            i.values[j] = x0[j] + h * v[j];
        const double up = loss();
        for (std::size_t j = 0; j < x0.size(); ++j)
            i.values[j] = x0[j] - h * v[j];
        const double down = loss();
        i.values = x0;
        p.direction.push_back(v);
        p.directional.push_back((up - down) / (2 * h));
    }
    return p;
}

template <class T>
Tolerance pick(const Tolerance (&t)[2]) {
    return t[std::is_same_v<T, float> ? 1 : 0];
}

inline Tolerance operator+(Tolerance a, Tolerance b) {
    return {a.forward + b.forward, a.gradient + b.gradient};
}

inline std::string output_name(std::size_t k, std::size_t outputs) {
    if (k == 0)
        return "y";
    return outputs == 2 ? "last state" : k == 1 ? "last state re" : "last state im";
}

// The forward and final state against the naive loop; every gradient against the exact one
// (skipped where `is_reference` says the run is the reference itself) and, along a random
// direction, against central differences of the naive loop.
template <class Op>
void check_against_references(const Prepared<Op>& p, const Run& r, Tolerance tol,
                              bool is_reference) {
    for (std::size_t k = 0; k < r.out.size(); ++k)
        BOOST_TEST_CONTEXT(output_name(k, r.out.size())) {
            BOOST_TEST(relative_error(r.out[k], p.naive[k]) <= tol.forward);
        }
    const double gradient =
        p.central ? std::max(tol.gradient, kCentralDifferenceNoise) : tol.gradient;
    const double directional = std::max(tol.gradient, kCentralDifferenceNoise);
    for (std::size_t i = 0; i < p.in.size(); ++i) {
        if (p.in[i].values.empty())
            continue;
        BOOST_TEST_CONTEXT("d" << p.in[i].name) {
            if (!is_reference)
                BOOST_TEST(relative_error(r.grads[i], p.reference[i]) <= gradient);
            // |Σ (g − g*)·v| ≤ max |g − g*| · Σ |v|: the bound of relative_error, along v.
            double vsum = 0, gmax = 0;
            for (std::size_t j = 0; j < p.direction[i].size(); ++j) {
                vsum += std::abs(p.direction[i][j]);
                gmax = std::max(gmax, std::abs(p.reference[i][j]));
            }
            const double scale = gmax > 0 ? gmax * vsum : 1;
            BOOST_TEST(std::abs(dot(r.grads[i], p.direction[i]) - p.directional[i]) <=
                       directional * scale);
        }
    }
}

// Two runs agree bit for bit: every output and every gradient.
inline void check_bitwise(const Run& a, const Run& b) {
    for (std::size_t k = 0; k < a.out.size(); ++k)
        BOOST_TEST_CONTEXT(output_name(k, a.out.size())) {
            BOOST_TEST(bitwise_equal(a.out[k], b.out[k]));
        }
    for (std::size_t i = 0; i < a.grads.size(); ++i)
        BOOST_TEST_CONTEXT("gradient " << i) {
            BOOST_TEST(bitwise_equal(a.grads[i], b.grads[i]));
        }
}

// Two runs agree within `tol` (the CUDA kernels against the CPU ones).
template <class Op>
void check_close(const Prepared<Op>& p, const Run& got, const Run& want, Tolerance tol) {
    for (std::size_t k = 0; k < got.out.size(); ++k)
        BOOST_TEST_CONTEXT(output_name(k, got.out.size())) {
            BOOST_TEST(relative_error(got.out[k], want.out[k]) <= tol.forward);
        }
    for (std::size_t i = 0; i < got.grads.size(); ++i)
        BOOST_TEST_CONTEXT("d" << p.in[i].name) {
            BOOST_TEST(relative_error(got.grads[i], want.grads[i]) <= tol.gradient);
        }
}

// The step kernel, fed one token at a time from a zero state, gives bit for bit the forward's y
// and final state.
template <class Op, class T>
void check_step(const typename Op::template Kernels<T>& k, const Prepared<Op>& p) {
    const typename Op::Config& c = p.cfg;
    const Arrays<T> in = cast_all<T>(values(p.in));
    Arrays<T> out = nan_buffers<T>(output_sizes<Op>(c));
    Op::forward(k, c, in, 0, out);
    Arrays<T> state;
    for (std::int64_t n : Op::state_sizes(c))
        state.emplace_back(static_cast<std::size_t>(n), T(0));
    std::vector<T> y_step(out[0].size());
    const std::int64_t width = Op::y_size(c) / std::max<std::int64_t>(c.batch * c.L, 1);
    typename Op::Config one = c;
    one.L = 1;
    for (std::int64_t t = 0; t < c.L; ++t) {
        Arrays<T> in_t = in;
        for (std::size_t i = 0; i < in.size(); ++i)
            if (p.in[i].sequence && !in[i].empty())
                in_t[i] = step_slice(in[i], c.batch, c.L, t);
        std::vector<T> yt(static_cast<std::size_t>(c.batch * width));
        Op::step(k, one, in_t, state, yt);
        for (std::int64_t b = 0; b < c.batch; ++b)
            std::copy(yt.begin() + b * width, yt.begin() + (b + 1) * width,
                      y_step.begin() + (b * c.L + t) * width);
    }
    BOOST_TEST(bitwise_equal(y_step, out[0]));
    for (std::size_t s = 0; s < state.size(); ++s)
        BOOST_TEST_CONTEXT(output_name(s + 1, out.size())) {
            BOOST_TEST(bitwise_equal(state[s], out[s + 1]));
        }
}

// Every call of Op::rejections() meant for this backend throws std::invalid_argument.
template <class Op, class T>
void check_rejections(const typename Op::template Kernels<T>& k, Where backend) {
    for (const auto& r : Op::rejections()) {
        if (r.where != Where::All && r.where != backend)
            continue;
        std::vector<Input> inputs = Op::inputs(r.cfg, 3);
        for (Input& i : inputs)
            if (i.name == r.drop)
                i.values.clear();
        const Arrays<T> in = cast_all<T>(values(inputs));
        Arrays<T> out = nan_buffers<T>(output_sizes<Op>(r.cfg));
        BOOST_TEST_CONTEXT(Op::kName << ": " << r.what) {
            BOOST_CHECK_THROW(Op::forward(k, r.cfg, in, 1, out), std::invalid_argument);
        }
    }
}

}  // namespace ssmscope::test
