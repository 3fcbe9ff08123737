// The layer analyses of the report (stability, ranks, Gramians, Lyapunov exponents, after the
// layer's validation, as analyze_checkpoint runs them) on numerically hostile layers: non-finite
// weights or steps are refused with a message naming the layer, the unit and the token or state; Δ
// = 0, a huge |A|, repeated eigenvalues, N = 1, N = 256, zero B or C, an unstable A each give
// defined answers, checked against their closed forms (Ā = I for Δ = 0; rank 1 for a repeated
// eigenvalue; rank 0 and zero Gramians for b = 0; no Gramian for an unstable A).
#include <cmath>
#include <random>

#include <boost/test/unit_test.hpp>

#include "analysis/checkpoint_report.hpp"
#include "tests/support/input_error.hpp"
#include "tests/support/systems.hpp"

using namespace ssmscope::analysis;
namespace t = ssmscope::test;
namespace tt = boost::test_tools;

namespace {

// A Mamba-1 style layer: `units` channels with diagonal A = a (units x n), one group of random
// b_t, c_t, steps Δ in [0.05, 1].
SelectiveLayer diagonal_layer(Index units, Index n, Index tokens, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> step(0.05, 1.0);
    SelectiveLayer l;
    l.index = 3;
    l.n = n;
    l.a = -(Matrix::Random(units, n).array().abs() * 4 + 0.1);
    l.delta = Matrix(tokens, units);
    for (Index i = 0; i < l.delta.size(); ++i)
        l.delta.data()[i] = step(rng);
    l.delta_raw = l.delta;
    l.B = {t::randn(tokens, n, rng)};
    l.C = {t::randn(tokens, n, rng)};
    return l;
}

// The analyses of analyze_checkpoint for one layer, after its validation.
LayerReport report(const SelectiveLayer& l, Index gramian_pairs = 64) {
    l.validate();
    LayerReport r;
    r.n = l.n;
    r.stability = layer_stability(l);
    RankOptions o;
    o.cross_check_pairs = 16;
    r.ranks = layer_ranks(l, o);
    r.gramians = layer_gramians(l, gramian_pairs);
    r.lyapunov = layer_lyapunov(l);
    return r;
}

// Every number of a layer report that must be finite.
bool finite(const LayerReport& r) {
    bool ok = std::isfinite(r.stability.worst_abscissa) &&
              std::isfinite(r.stability.worst_radius) && std::isfinite(r.lyapunov.largest);
    for (const auto& s : r.gramians.samples)
        if (s.hsv)
            ok = ok && s.hsv->allFinite();
    for (const auto& u : r.lyapunov.unit_exponents)
        ok = ok && u.allFinite();
    return ok;
}

}  // namespace

BOOST_AUTO_TEST_CASE(non_finite_values_name_the_layer_unit_and_token) {
    SelectiveLayer l = diagonal_layer(4, 3, 6, 1);
    l.a(2, 1) = std::nan("");
    BOOST_TEST(t::contains(t::input_error([&] { report(l); }),
                           "layer 3: A of channel 2, state 1 is not finite (nan)"));
    l = diagonal_layer(4, 3, 6, 1);
    l.delta(5, 1) = INFINITY;
    BOOST_TEST(t::contains(t::input_error([&] { report(l); }),
                           "layer 3: the step Δ of channel 1 at token 5 is not finite (inf)"));
    l = diagonal_layer(4, 3, 6, 1);
    l.C[0](4, 2) = -INFINITY;
    BOOST_TEST(t::contains(t::input_error([&] { report(l); }),
                           "layer 3: C at token 4, state 2 is not finite (-inf)"));
}

BOOST_AUTO_TEST_CASE(a_zero_step_holds_the_state) {
    SelectiveLayer l = diagonal_layer(4, 3, 6, 2);
    l.delta.setZero();
    l.delta_raw.setConstant(-40);
    const LayerReport r = report(l);
    // Ā = exp(0·A) = I: radius exactly 1, marginal in discrete time; no growth or decay per
    // token, so every Lyapunov exponent is 0. The continuous A is still stable.
    BOOST_TEST(r.stability.worst_radius == 1.0);
    BOOST_TEST(r.stability.unstable_discrete == 4);
    BOOST_TEST(r.stability.unstable_continuous == 0);
    BOOST_TEST(r.lyapunov.largest == 0.0, tt::tolerance(1e-15));
    BOOST_TEST(finite(r));
}

BOOST_AUTO_TEST_CASE(a_huge_negative_a_decays_at_once) {
    SelectiveLayer l = diagonal_layer(3, 4, 5, 3);
    l.a.setConstant(-1e12);
    l.a(1, 2) = -3e12;
    const LayerReport r = report(l);
    BOOST_TEST(r.stability.worst_abscissa == -1e12);
    BOOST_TEST(r.stability.worst_radius == 0.0);  // exp(-5e10) underflows: Ā = 0
    BOOST_TEST(r.ranks.ctrb.min == 1);  // channels 0 and 2: A = −1e12 I, one direction
    BOOST_TEST(r.ranks.ctrb.max == 2);  // channel 1: two distinct eigenvalues
    BOOST_TEST(r.gramians.defined == r.gramians.sampled);
    BOOST_TEST(finite(r));
    // The continuous Gramian of a = −1e12, b: W = b bᵀ/(2e12): HSVs of order 1e-12 and finite.
    BOOST_TEST(r.gramians.hsv_max_max > 0.0);
    BOOST_TEST(r.gramians.hsv_max_max < 1e-9);
}

BOOST_AUTO_TEST_CASE(repeated_eigenvalues_leave_one_direction) {
    SelectiveLayer l = diagonal_layer(3, 5, 4, 4);
    l.a.setConstant(-0.7);  // A = −0.7 I in every channel: PBH rank 1 whatever b is
    const LayerReport r = report(l);
    BOOST_TEST(r.ranks.ctrb.max == 1);
    BOOST_TEST(r.ranks.ctrb.min == 1);
    BOOST_TEST(r.ranks.obsv.max == 1);
    BOOST_TEST(r.ranks.ctrb.staircase_disagreements == 0);
    BOOST_TEST(finite(r));
}

BOOST_AUTO_TEST_CASE(one_state_and_256_states) {
    {
        const LayerReport r = report(diagonal_layer(4, 1, 6, 5));
        BOOST_TEST(r.n == 1);
        BOOST_TEST(r.ranks.ctrb.min == 1);
        BOOST_TEST(r.ranks.obsv.min == 1);
        BOOST_TEST(finite(r));
    }
    {
        // 256 distinct eigenvalues and b with no zero entry: controllable by PBH's closed form,
        // however badly conditioned the Krylov matrix is (its SVD may disagree: that is counted,
        // not fatal).
        SelectiveLayer l = diagonal_layer(2, 256, 3, 6);
        for (Index i = 0; i < 256; ++i)
            l.a.col(i).setConstant(-0.05 - 0.02 * static_cast<double>(i));
        l.a(1, 7) -= 0.001;
        const LayerReport r = report(l, 4);
        BOOST_TEST(r.n == 256);
        BOOST_TEST(r.ranks.ctrb.min == 256);
        BOOST_TEST(r.stability.worst_abscissa == -0.05, tt::tolerance(1e-15));
        BOOST_TEST(finite(r));
    }
}

BOOST_AUTO_TEST_CASE(zero_b_or_c) {
    SelectiveLayer l = diagonal_layer(3, 4, 5, 7);
    l.B[0].setZero();
    LayerReport r = report(l);
    BOOST_TEST(r.ranks.ctrb.max == 0);
    BOOST_TEST(r.ranks.obsv.min == 4);
    // The controllability Gramian is 0, so every Hankel singular value is 0: defined, not NaN.
    BOOST_TEST(r.gramians.defined == r.gramians.sampled);
    BOOST_TEST(r.gramians.hsv_max_max == 0.0);
    BOOST_TEST(finite(r));

    l = diagonal_layer(3, 4, 5, 7);
    l.C[0].setZero();
    r = report(l);
    BOOST_TEST(r.ranks.obsv.max == 0);
    BOOST_TEST(r.ranks.ctrb.min == 4);
    BOOST_TEST(r.gramians.hsv_max_max == 0.0);
    BOOST_TEST(finite(r));
}

BOOST_AUTO_TEST_CASE(an_unstable_a_has_no_gramian) {
    SelectiveLayer l = diagonal_layer(3, 4, 5, 8);
    l.a.row(1).setConstant(0.3);
    l.a(1, 0) = 0.5;
    const LayerReport r = report(l);
    BOOST_TEST(r.stability.unstable_continuous == 1);
    BOOST_TEST(r.stability.worst_abscissa == 0.5);
    BOOST_TEST(r.gramians.defined < r.gramians.sampled);
    BOOST_TEST(!r.gramians.undefined_reason.empty());
    for (const auto& s : r.gramians.samples)
        BOOST_TEST(s.hsv.has_value() == (s.unit != 1));
}
