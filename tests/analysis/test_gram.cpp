// Gramians and Hankel singular values: closed forms, their Lyapunov equations, the series and
// integral definitions they come from, invariance under similarity, the ZOH limit, and
// "undefined" for systems that are not stable.
#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

#include <boost/test/unit_test.hpp>

#include "analysis/canonical.hpp"
#include "analysis/discretize.hpp"
#include "analysis/gram.hpp"
#include "analysis/hsv.hpp"
#include "analysis/lyap.hpp"
#include "tests/support/dense.hpp"
#include "tests/support/systems.hpp"

using namespace ssmscope::analysis;
namespace t = ssmscope::test;
namespace tt = boost::test_tools;

namespace {

const Matrix& W(const Gramian& g) {
    BOOST_REQUIRE(g.defined());
    return *g.W;
}

// Composite 5-point Gauss-Legendre quadrature of  int_0^T e^(At) B B' e^(A't) dt.
Matrix gram_by_quadrature(const Matrix& A, const Matrix& B, double T, int panels) {
    const double x[5] = {-0.9061798459386640, -0.5384693101056831, 0.0, 0.5384693101056831,
                         0.9061798459386640};
    const double w[5] = {0.2369268850561891, 0.4786286704993665, 0.5688888888888889,
                         0.4786286704993665, 0.2369268850561891};
    const double h = T / panels;
    Matrix sum = Matrix::Zero(A.rows(), A.rows());
    for (int k = 0; k < panels; ++k) {
        for (int q = 0; q < 5; ++q) {
            const double tq = h * (k + 0.5 + 0.5 * x[q]);
            const Matrix EB = t::expm(A * tq) * B;
            sum += (0.5 * h * w[q]) * EB * EB.transpose();
        }
    }
    return sum;
}

}  // namespace

BOOST_AUTO_TEST_CASE(scalar_closed_forms) {
    // x' = a x + b u, y = c x: Wc = b^2 / (2|a|), Wo = c^2 / (2|a|), hsv = |b c| / (2|a|).
    const StateSpace sys = make_ss(Matrix::Constant(1, 1, -2.0), Matrix::Constant(1, 1, 3.0),
                                   Matrix::Constant(1, 1, 5.0));
    BOOST_TEST(W(gram(sys, GramKind::Controllability))(0, 0) == 9.0 / 4.0, tt::tolerance(1e-14));
    BOOST_TEST(W(gram(sys, GramKind::Observability))(0, 0) == 25.0 / 4.0, tt::tolerance(1e-14));
    BOOST_TEST((*hsv(sys))(0) == 15.0 / 4.0, tt::tolerance(1e-14));
    // Discrete x+ = a x + b u: Wc = b^2 / (1 - a^2).
    const StateSpace d = make_ss(Matrix::Constant(1, 1, 0.5), Matrix::Constant(1, 1, 1.0),
                                 Matrix::Constant(1, 1, 1.0), Matrix(), 1.0);
    BOOST_TEST(W(gram(d, GramKind::Controllability))(0, 0) == 4.0 / 3.0, tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(gramians_satisfy_their_lyapunov_equations) {
    std::mt19937 rng(7);
    for (Index n : {2, 4, 8, 16}) {
        const Matrix A = t::stable_random(n, 0.2, rng), B = t::randn(n, 2, rng),
                     C = t::randn(3, n, rng);
        const Matrix Wc = W(gram(A, B, GramKind::Controllability, false));
        const Matrix Wo = W(gram(A, C, GramKind::Observability, false));
        const Matrix BB = B * B.transpose(), CC = C.transpose() * C;
        BOOST_TEST((A * Wc + Wc * A.transpose() + BB).norm() / BB.norm() < 1e-10);
        BOOST_TEST((A.transpose() * Wo + Wo * A + CC).norm() / CC.norm() < 1e-10);
        BOOST_TEST(lyap_residual(A, Wc, BB) < 1e-14);

        const Matrix Ad = t::convergent_random(n, 0.7, rng);
        const Matrix Wd = W(gram(Ad, B, GramKind::Controllability, true));
        const Matrix Wdo = W(gram(Ad, C, GramKind::Observability, true));
        BOOST_TEST((Ad * Wd * Ad.transpose() - Wd + BB).norm() / BB.norm() < 1e-10);
        BOOST_TEST((Ad.transpose() * Wdo * Ad - Wdo + CC).norm() / CC.norm() < 1e-10);
        // Symmetric positive semidefinite, from its Cholesky factor.
        BOOST_TEST((Wc - Wc.transpose()).norm() == 0.0);
    }
}

BOOST_AUTO_TEST_CASE(discrete_gramian_equals_its_series) {
    std::mt19937 rng(8);
    const Index n = 5;
    const Matrix A = t::convergent_random(n, 0.6, rng), B = t::randn(n, 2, rng);
    Matrix series = Matrix::Zero(n, n), AkB = B;
    for (int k = 0; k < 200; ++k) {  // 0.6^400 ~ 1e-89: the tail is far below rounding
        series += AkB * AkB.transpose();
        AkB = A * AkB;
    }
    BOOST_TEST(t::rel_err(W(gram(A, B, GramKind::Controllability, true)), series) < 1e-12);
}

BOOST_AUTO_TEST_CASE(continuous_gramian_equals_its_integral) {
    std::mt19937 rng(9);
    const Index n = 4;
    const Matrix A = t::stable_random(n, 1.0, rng), B = t::randn(n, 1, rng);
    // e^(At) decays like e^(-t) (times a polynomial in t): T = 60 leaves ~1e-24 of the integral.
    const Matrix quad = gram_by_quadrature(A, B, 60.0, 600);
    BOOST_TEST(t::rel_err(W(gram(A, B, GramKind::Controllability, false)), quad) < 1e-10);
}

BOOST_AUTO_TEST_CASE(hankel_singular_values_are_invariant_under_similarity) {
    std::mt19937 rng(10);
    for (int trial = 0; trial < 10; ++trial) {
        const Index n = 3 + trial % 5;
        StateSpace sys{t::stable_random(n, 0.3, rng), t::randn(n, 2, rng), t::randn(2, n, rng),
                       Matrix::Zero(2, 2), 0.0};
        if (trial % 2) {
            sys.A = t::convergent_random(n, 0.8, rng);
            sys.dt = 0.1;
        }
        const Vector h1 = *hsv(sys), h2 = *hsv(t::transform(sys, t::similarity(n, rng)));
        BOOST_TEST((h1 - h2).norm() / h1(0) < 1e-10);
        // The Gramians themselves are not invariant: Wc -> T^-1 Wc T^-T. Their product's
        // eigenvalues are, and equal hsv^2.
        const Matrix P =
            W(gram(sys, GramKind::Controllability)) * W(gram(sys, GramKind::Observability));
        Vector ev = t::eigenvalues(P).real();
        std::sort(ev.data(), ev.data() + ev.size(), std::greater<>());
        BOOST_TEST((ev.cwiseMax(0.0).cwiseSqrt() - h1).norm() / h1(0) < 1e-8);
    }
}

BOOST_AUTO_TEST_CASE(zoh_gramian_tends_to_the_continuous_one) {
    // With exact ZOH, Wd(h) / h -> Wc as h -> 0: the sum over samples is a Riemann sum of the
    // integral. It converges at second order: the left-endpoint sum overshoots by h B B' / 2, and
    // Bd = h B + h^2 A B / 2 + ... undershoots by h B B' / 2 (integrate d/dt of e^At B B' e^A't).
    std::mt19937 rng(11);
    const Index n = 4;
    const Matrix A = t::stable_random(n, 0.5, rng), B = t::randn(n, 1, rng);
    const Matrix Wc = W(gram(A, B, GramKind::Controllability, false));
    double previous = 1.0;
    for (double h : {1e-1, 1e-2, 1e-3}) {
        const ZohPair d = zoh(A, B, h);
        const double err = t::rel_err(W(gram(d.Ad, d.Bd, GramKind::Controllability, true)) / h, Wc);
        BOOST_TEST_MESSAGE("h = " << h << ": relative error " << err);
        BOOST_TEST(err < previous / 50.0);  // second order: a factor ~100 per decade of h
        previous = err;
    }
    BOOST_TEST(previous < 1e-5);
}

BOOST_AUTO_TEST_CASE(gramian_of_a_badly_scaled_companion_form) {
    // SC-Mamba's channel form with poles -1..-16 (coefficients up to 2e13): the Gramian is
    // computed in balanced coordinates and must still solve the original equation.
    const Matrix A = companion(poly(t::poles_minus_one_to(16)));
    const Vector B = Vector::Unit(16, 15);
    const Matrix Wc = W(gram(A, B, GramKind::Controllability, false));
    BOOST_TEST(lyap_residual(A, Wc, B * B.transpose()) < 1e-14);
}

BOOST_AUTO_TEST_CASE(unstable_and_marginal_systems_have_no_gramian) {
    Matrix A(2, 2);
    A << 0.1, 1, 0, -1;
    const Gramian g = gram(A, Vector::Ones(2), GramKind::Controllability, false);
    BOOST_TEST(!g.defined());
    BOOST_TEST(g.undefined_reason.find("not stable") != std::string::npos);
    BOOST_TEST(
        !gram(Matrix::Zero(1, 1), Vector::Ones(1), GramKind::Controllability, false).defined());
    BOOST_TEST(
        !gram(Matrix::Identity(2, 2), Vector::Ones(2), GramKind::Observability, true).defined());
    const StateSpace sys{A, Vector::Ones(2), Matrix::Ones(1, 2), Matrix::Zero(1, 1), 0.0};
    BOOST_TEST(!hsv(sys).has_value());
}

BOOST_AUTO_TEST_CASE(diagonal_closed_forms_agree_with_slicot) {
    // Random diagonal and scalar A, continuous and discrete, with clustered and repeated
    // eigenvalues and zero entries in b and c: W, the factor and the HSV against SB03OD on the
    // same pair as a dense matrix.
    std::mt19937 rng(31);
    std::uniform_int_distribution<int> pick(0, 3);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    int repeated = 0;
    for (int trial = 0; trial < 200; ++trial) {
        const bool discrete = trial % 2 == 1;
        const Index n = 1 + trial % 12;
        Vector a(n);
        for (Index i = 0; i < n; ++i)
            a(i) = discrete ? 1.8 * unit(rng) - 0.9 : -0.1 - 5.0 * unit(rng);
        const bool scalar = trial % 7 == 0;
        if (scalar)
            a.setConstant(a(0));
        Vector b = t::randn(n, 1, rng), c = t::randn(n, 1, rng);
        for (Index i = 1; i < n; ++i) {
            if (!scalar && pick(rng) == 0)
                a(i) = a(i - 1) * (pick(rng) == 0 ? 1.0 : 1.0 + 1e-6), ++repeated;
            if (pick(rng) == 0)
                b(i) = 0.0;
            if (pick(rng) == 0)
                c(i) = 0.0;
        }
        BOOST_TEST_CONTEXT("trial " << trial << ", n " << n << (discrete ? ", discrete" : "")) {
            const Matrix A = a.asDiagonal();
            const Gramian wc = diagonal_gram(a, b, GramKind::Controllability, discrete);
            const Gramian wo = diagonal_gram(a, c, GramKind::Observability, discrete);
            const Gramian sc = gram(A, b, GramKind::Controllability, discrete);
            const Gramian so = gram(A, c.transpose(), GramKind::Observability, discrete);
            BOOST_TEST((W(wc) - W(sc)).norm() <= 1e-12 * W(sc).norm() + 1e-300);
            BOOST_TEST((W(wo) - W(so)).norm() <= 1e-12 * W(so).norm() + 1e-300);
            // The factors are triangular as gram()'s and reproduce W.
            BOOST_TEST(wc.R.isUpperTriangular(0.0));
            BOOST_TEST(wo.R.isUpperTriangular(0.0));
            BOOST_TEST((wc.R * wc.R.transpose() - W(wc)).norm() <= 1e-13 * W(wc).norm() + 1e-300);
            BOOST_TEST((wo.R.transpose() * wo.R - W(wo)).norm() <= 1e-13 * W(wo).norm() + 1e-300);
            const Vector h = *hsv(wc, wo), s = *hsv(sc, so);
            BOOST_TEST((h - s).norm() <= 1e-10 * s(0) + 1e-300);
            if (scalar && !discrete) {
                // v v' / -2a: one HSV, |b'c| / -2a, and exact zeros after it.
                BOOST_TEST(h(0) == std::abs(b.dot(c)) / (-2.0 * a(0)), tt::tolerance(1e-12));
                BOOST_TEST((n == 1 || h.tail(n - 1).norm() == 0.0));
            }
        }
    }
    BOOST_TEST(repeated > 50);
    // Not stable: undefined, with the reason gram() gives.
    const Vector unstable = Vector::LinSpaced(4, -1.0, 0.5), v = Vector::Ones(4);
    for (bool discrete : {false, true}) {
        const Vector a = discrete ? Vector(unstable * 2.5) : unstable;
        const Gramian closed = diagonal_gram(a, v, GramKind::Controllability, discrete);
        const Gramian dense = gram(Matrix(a.asDiagonal()), v, GramKind::Controllability, discrete);
        BOOST_TEST(!closed.defined());
        BOOST_TEST(closed.undefined_reason == dense.undefined_reason);
    }
}
