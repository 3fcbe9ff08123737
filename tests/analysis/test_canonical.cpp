// Companion forms and characteristic polynomials: the coefficient convention against a
// determinant, and round trips coefficients <-> matrices <-> poles.
#include <algorithm>
#include <cmath>

#include <boost/test/unit_test.hpp>

#include "analysis/canonical.hpp"
#include "base/error.hpp"
#include "analysis/staircase.hpp"
#include "tests/support/dense.hpp"
#include "tests/support/systems.hpp"

using namespace ssmscope;
using namespace ssmscope::analysis;
namespace t = ssmscope::test;
using Cx = std::complex<double>;

namespace {

// p(s) = s^N + a_{N-1} s^{N-1} + ... + a_0, by Horner.
Cx eval_poly(const Vector& a, Cx s) {
    Cx v = 1.0;
    for (Index j = a.size() - 1; j >= 0; --j)
        v = v * s + a(j);
    return v;
}

void sort_roots(std::vector<Cx>& r) {
    std::sort(r.begin(), r.end(), [](Cx x, Cx y) {
        return x.real() != y.real() ? x.real() < y.real() : x.imag() < y.imag();
    });
}

}  // namespace

BOOST_AUTO_TEST_CASE(companion_matrix_has_the_documented_layout) {
    // s^3 + 6 s^2 + 11 s + 6 = (s+1)(s+2)(s+3): a = [6, 11, 6]; last row [-a0, -a1, -a2].
    const Matrix A = companion(Eigen::Vector3d(6, 11, 6));
    Matrix expected(3, 3);
    expected << 0, 1, 0, 0, 0, 1, -6, -11, -6;
    BOOST_TEST((A == expected));
}

BOOST_AUTO_TEST_CASE(det_of_s_minus_companion_is_the_polynomial) {
    std::mt19937 rng(12);
    for (Index n : {1, 2, 5, 8}) {
        const Vector a = t::randn(n, 1, rng);
        const Matrix A = companion(a);
        for (Cx s : {Cx(0.3, 0.0), Cx(-1.2, 0.7), Cx(2.0, -1.5)}) {
            const Eigen::MatrixXcd M = s * Eigen::MatrixXcd::Identity(n, n) - A.cast<Cx>();
            BOOST_TEST(std::abs(t::determinant(M) - eval_poly(a, s)) <
                       1e-12 * (1 + std::abs(eval_poly(a, s))));
        }
    }
}

BOOST_AUTO_TEST_CASE(poles_to_coefficients_and_back) {
    const std::vector<Cx> poles{{-1, 0}, {-2, 3}, {-2, -3}, {-0.5, 0}};
    const Vector a = poly(poles);
    // (s^2 + 1.5 s + 0.5)(s^2 + 4 s + 13) = s^4 + 5.5 s^3 + 19.5 s^2 + 21.5 s + 6.5
    BOOST_TEST((a - Eigen::Vector4d(6.5, 21.5, 19.5, 5.5)).norm() < 1e-13);
    std::vector<Cx> back = roots(a), expected = poles;
    sort_roots(back);
    sort_roots(expected);
    for (std::size_t i = 0; i < poles.size(); ++i)
        BOOST_TEST(std::abs(back[i] - expected[i]) < 1e-12);
    // Coefficients -> companion -> coefficients, both ways round.
    BOOST_TEST((companion_coeffs(companion(a)) - a).norm() == 0.0);
    BOOST_TEST((companion_coeffs(companion(a).transpose(), true) - a).norm() == 0.0);
    BOOST_TEST((charpoly(companion(a)) - a).norm() < 1e-12);
}

BOOST_AUTO_TEST_CASE(ccf_and_ocf_realise_the_same_transfer_function) {
    std::mt19937 rng(13);
    const Vector a = poly({{-1, 0}, {-3, 1}, {-3, -1}, {-4, 0}, {-0.2, 0}});
    const Vector b = t::randn(5, 1, rng);
    const StateSpace c = ccf(a, b), o = ocf(a, b);
    BOOST_TEST(t::rel_err(t::markov(c, 12), t::markov(o, 12)) < 1e-12);
    BOOST_TEST(ctrb_staircase(c.A, c.B).rank == 5);  // controllable by construction
    BOOST_TEST(obsv_staircase(o.A, o.C).rank == 5);  // observable by construction
    BOOST_TEST((c.B == Vector::Unit(5, 4)));
    // G(s) = C (sI - A)^-1 B = (b_4 s^4 + ... + b_0) / p(s) at a test point.
    const Cx s(0.7, 0.4);
    const Eigen::MatrixXcd R = s * Eigen::MatrixXcd::Identity(5, 5) - c.A.cast<Cx>();
    const Cx G = (c.C.cast<Cx>() * t::solve(R, c.B.cast<Cx>()))(0, 0);
    Cx num = 0.0;
    for (Index j = 4; j >= 0; --j)
        num = num * s + b(j);
    BOOST_TEST(std::abs(G - num / eval_poly(a, s)) < 1e-12 * std::abs(G));
}

BOOST_AUTO_TEST_CASE(any_controllable_siso_system_transforms_to_ccf) {
    std::mt19937 rng(14);
    const StateSpace sys{t::stable_random(4, 0.5, rng), t::randn(4, 1, rng), t::randn(1, 4, rng),
                         Matrix::Zero(1, 1), 0.0};
    const StateSpace c = to_ccf(sys);
    BOOST_TEST(t::rel_err(t::markov(c, 10), t::markov(sys, 10)) < 1e-9);
    BOOST_TEST((companion_coeffs(c.A) - charpoly(sys.A)).norm() < 1e-10);
    BOOST_CHECK_THROW(to_ccf(StateSpace{-Matrix::Identity(2, 2), Vector::Ones(2),
                                        Matrix::Ones(1, 2), Matrix::Zero(1, 1), 0.0}),
                      InputError);  // uncontrollable
}

BOOST_AUTO_TEST_CASE(a_matrix_that_is_not_a_companion_is_refused) {
    Matrix A = companion(Eigen::Vector3d(1, 2, 3));
    A(0, 2) = 0.5;
    BOOST_CHECK_THROW(companion_coeffs(A), InputError);
}
