// Lyapunov equations: residuals, closed forms, and singular equations.
#include <stdexcept>

#include <boost/test/unit_test.hpp>

#include "analysis/lyap.hpp"
#include "tests/support/systems.hpp"

using namespace ssmscope::analysis;
namespace t = ssmscope::test;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(scalar_closed_forms) {
    // 2 a x + q = 0 and a^2 x - x + q = 0.
    BOOST_TEST(lyap(Matrix::Constant(1, 1, -2.0), Matrix::Constant(1, 1, 3.0))(0, 0) == 0.75,
               tt::tolerance(1e-15));
    BOOST_TEST(dlyap(Matrix::Constant(1, 1, 0.5), Matrix::Constant(1, 1, 3.0))(0, 0) == 4.0,
               tt::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(random_equations_are_solved_to_rounding) {
    std::mt19937 rng(6);
    for (Index n : {2, 5, 9, 16}) {
        const Matrix G = t::randn(n, n, rng);
        const Matrix Q = G + G.transpose();  // symmetric, indefinite: lyap needs no sign
        const Matrix A = t::stable_random(n, 0.3, rng);
        const Matrix X = lyap(A, Q);
        BOOST_TEST(lyap_residual(A, X, Q) < 1e-13);
        BOOST_TEST((A * X + X * A.transpose() + Q).norm() / Q.norm() < 1e-10);
        const Matrix Ad = t::convergent_random(n, 0.8, rng);
        const Matrix Xd = dlyap(Ad, Q);
        BOOST_TEST(dlyap_residual(Ad, Xd, Q) < 1e-13);
        BOOST_TEST((Ad * Xd * Ad.transpose() - Xd + Q).norm() / Q.norm() < 1e-10);
    }
}

BOOST_AUTO_TEST_CASE(unstable_but_regular_equations_still_have_a_solution) {
    // lyap needs only l_i + l_j != 0: eigenvalues 1 and 2 are fine.
    const Matrix A = Vector(Eigen::Vector2d(1.0, 2.0)).asDiagonal();
    const Matrix X = lyap(A, Matrix::Identity(2, 2));
    BOOST_TEST(X(0, 0) == -0.5, tt::tolerance(1e-15));
    BOOST_TEST(X(1, 1) == -0.25, tt::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(singular_equations_are_reported) {
    // Eigenvalues 1 and -1: l_1 + l_2 = 0 (continuous); 2 and 1/2: l_1 l_2 = 1 (discrete).
    BOOST_CHECK_THROW(lyap(Vector(Eigen::Vector2d(1.0, -1.0)).asDiagonal(), Matrix::Identity(2, 2)),
                      std::domain_error);
    BOOST_CHECK_THROW(dlyap(Vector(Eigen::Vector2d(2.0, 0.5)).asDiagonal(), Matrix::Identity(2, 2)),
                      std::domain_error);
}
