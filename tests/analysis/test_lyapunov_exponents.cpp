// Lyapunov exponents of linear recurrences: closed forms for diagonal, triangular, orthogonal and
// periodic sequences, and bad input.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "analysis/lyapunov_exponents.hpp"
#include "tests/support/dense.hpp"
#include "tests/support/input_error.hpp"
#include "tests/support/systems.hpp"

using namespace ssmscope::analysis;
namespace t = ssmscope::test;

namespace {

Vector descending(Vector v) {
    std::sort(v.begin(), v.end(), std::greater<>());
    return v;
}

// log of the k-dimensional volume spanned by the columns of X.
double log_volume(const Matrix& X) {
    return 0.5 * std::log(t::determinant(Matrix(X.transpose() * X)));
}

}  // namespace

BOOST_AUTO_TEST_CASE(qr_method_equals_the_closed_form_on_diagonal_recurrences) {
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> decade(-3.0, 1.0);
    std::bernoulli_distribution negative(0.4), tiny(0.05);
    const Index n = 6, T = 200;
    std::vector<Matrix> steps;
    Matrix log_abs(T, n);
    for (Index k = 0; k < T; ++k) {
        Vector d(n);
        for (Index i = 0; i < n; ++i) {
            d(i) = (negative(rng) ? -1.0 : 1.0) * std::pow(10.0, tiny(rng) ? -150.0 : decade(rng));
            log_abs(k, i) = std::log(std::abs(d(i)));
        }
        steps.push_back(d.asDiagonal());
    }
    const Vector closed = lyapunov_exponents_diagonal(log_abs);
    const Vector qr = lyapunov_exponents(steps);
    BOOST_TEST_REQUIRE(qr.size() == n);
    const double err = (qr - closed).cwiseAbs().maxCoeff() / closed.cwiseAbs().maxCoeff();
    BOOST_TEST_MESSAGE("diagonal: max relative difference " << err);
    BOOST_TEST(err < 1e-12);
    // The closed form itself: column means, descending.
    BOOST_TEST((closed - descending(log_abs.colwise().mean().transpose())).norm() == 0.0);
}

BOOST_AUTO_TEST_CASE(periodic_sequences_converge_to_the_floquet_exponents) {
    // A_1, A_2 random and A_3 chosen so that the period product P = A_3 A_2 A_1 = V diag(mu) V^-1
    // with moduli 2.5 > 1.2 > 0.5 > 0.15. The exponents are (1/p) log|mu_i|. After K periods
    // the summed logs are exactly log|diag R| of P^K = V diag(mu)^K V^-1 (Q_0 = I), and the
    // leading k diagonal entries of R multiply to the volume of the first k columns of P^K:
    //     K sum_{i<=k} log|mu_i| + c_k + O((|mu_k+1| / |mu_k|)^K),
    //     c_k = log vol(V[:, 1:k]) + log|det(V^-1)[1:k, 1:k]|.
    // So the transient of exponent k is (c_k - c_{k-1}) / (K p): O(1/K), and known.
    std::mt19937 rng(3);
    const Index n = 4, p = 3;
    const Vector mu = Eigen::Vector4d(2.5, -1.2, 0.5, 0.15);
    const Matrix V = t::similarity(n, rng);
    const Matrix A1 = t::randn(n, n, rng), A2 = t::randn(n, n, rng);
    const Matrix Vinv = t::inverse(V);
    const Matrix A3 = V * mu.asDiagonal() * Vinv * t::inverse(A2 * A1);
    Vector limit(n), transient(n);
    double c_prev = 0.0;
    for (Index k = 1; k <= n; ++k) {
        const double c = log_volume(V.leftCols(k)) +
                         std::log(std::abs(t::determinant(Matrix(Vinv.topLeftCorner(k, k)))));
        limit(k - 1) = std::log(std::abs(mu(k - 1))) / static_cast<double>(p);
        transient(k - 1) = c - c_prev;
        c_prev = c;
    }
    for (Index K : {Index{60}, Index{2000}}) {
        const double steps = static_cast<double>(K * p);
        const Vector lambda = lyapunov_exponents(n, K * p, [&](Index s, Matrix& A_s) {
            A_s = (s - 1) % p == 0 ? A1 : (s - 1) % p == 1 ? A2 : A3;
        });
        const double err = (lambda - limit).cwiseAbs().maxCoeff();
        const double bound = transient.cwiseAbs().maxCoeff() / steps;
        BOOST_TEST_MESSAGE("periodic, K = " << K << ": |error| " << err << ", transient bound "
                                            << bound);
        BOOST_TEST(err <= bound + 1e-10);
        // With the transient removed, what is left is rounding (and 0.48^K < 1e-19).
        const double rest = (lambda - limit - transient / steps).cwiseAbs().maxCoeff();
        BOOST_TEST_MESSAGE("periodic, K = " << K << ": after the transient " << rest);
        BOOST_TEST(rest < 1e-10);
    }
}

BOOST_AUTO_TEST_CASE(one_upper_triangular_step_gives_the_log_of_its_diagonal) {
    std::mt19937 rng(5);
    Matrix U = t::randn(5, 5, rng).triangularView<Eigen::Upper>();
    const Vector d = Eigen::Matrix<double, 5, 1>(3.0, 0.2, 7.5, 1.0, 1e-3);
    U.diagonal() = d;
    const Vector lambda = lyapunov_exponents({U});
    const Vector expected = descending(d.array().log().matrix());
    BOOST_TEST_MESSAGE("triangular: max error " << (lambda - expected).cwiseAbs().maxCoeff());
    BOOST_TEST((lambda - expected).cwiseAbs().maxCoeff() < 1e-15);
}

BOOST_AUTO_TEST_CASE(orthogonal_steps_have_zero_exponents) {
    std::mt19937 rng(7);
    std::vector<Matrix> steps;
    for (int k = 0; k < 500; ++k)
        steps.push_back(t::random_orthogonal(6, rng));
    const Vector lambda = lyapunov_exponents(steps);
    BOOST_TEST_MESSAGE("orthogonal: max |lambda| " << lambda.cwiseAbs().maxCoeff());
    BOOST_TEST(lambda.cwiseAbs().maxCoeff() < 1e-14);
}

BOOST_AUTO_TEST_CASE(the_vector_overload_agrees_with_the_callback) {
    std::mt19937 rng(9);
    std::vector<Matrix> steps;
    for (int k = 0; k < 40; ++k)
        steps.push_back(t::randn(5, 5, rng));
    const Vector a = lyapunov_exponents(steps);
    const Vector b = lyapunov_exponents(5, 40, [&](Index s, Matrix& A_s) { A_s = steps[s - 1]; });
    BOOST_TEST((a - b).norm() == 0.0);
}

BOOST_AUTO_TEST_CASE(bad_input_is_reported_with_its_step) {
    std::mt19937 rng(13);
    std::vector<Matrix> steps{t::randn(4, 4, rng), t::randn(4, 4, rng), t::randn(4, 3, rng)};
    BOOST_TEST(t::contains(t::input_error([&] { lyapunov_exponents(steps); }), "step t = 3"));
    steps[2] = t::randn(4, 4, rng);
    steps[1](2, 1) = std::numeric_limits<double>::quiet_NaN();
    const std::string nan = t::input_error([&] { lyapunov_exponents(steps); });
    BOOST_TEST(t::contains(nan, "step t = 2"));
    BOOST_TEST(t::contains(nan, "non-finite"));
    BOOST_TEST(!t::input_error([] { lyapunov_exponents(std::vector<Matrix>{}); }).empty());
    BOOST_TEST(!t::input_error([] { lyapunov_exponents(3, 0, [](Index, Matrix&) {}); }).empty());
    BOOST_TEST(!t::input_error([] { lyapunov_exponents(0, 5, [](Index, Matrix&) {}); }).empty());
    BOOST_TEST(!t::input_error([] { lyapunov_exponents_diagonal(Matrix(0, 3)); }).empty());
    Matrix log_abs = Matrix::Zero(4, 2);
    log_abs(2, 1) = std::numeric_limits<double>::quiet_NaN();
    BOOST_TEST(
        t::contains(t::input_error([&] { lyapunov_exponents_diagonal(log_abs); }), "step t = 3"));
    log_abs(2, 1) = std::numeric_limits<double>::infinity();
    BOOST_TEST(!t::input_error([&] { lyapunov_exponents_diagonal(log_abs); }).empty());
}

BOOST_AUTO_TEST_CASE(singular_steps_give_minus_infinity_not_nan) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    std::mt19937 rng(17);
    // A zero column in A_1 annihilates e_1: the product has rank n - 1, so one exponent is -inf.
    std::vector<Matrix> steps;
    for (int k = 0; k < 10; ++k)
        steps.push_back(t::randn(4, 4, rng));
    steps[0].col(0).setZero();
    const Vector lambda = lyapunov_exponents(steps);
    BOOST_TEST(lambda(3) == -inf);
    BOOST_TEST(lambda.head(3).allFinite());
    // A zero step in the middle annihilates everything.
    steps[0] = t::randn(4, 4, rng);
    steps[4].setZero();
    const Vector zero = lyapunov_exponents(steps);
    for (Index i = 0; i < 4; ++i)
        BOOST_TEST(zero(i) == -inf);
    // The closed form: log|0| = -inf in one column.
    Matrix log_abs = Matrix::Zero(3, 2);
    log_abs(1, 0) = -inf;
    const Vector diagonal = lyapunov_exponents_diagonal(log_abs);
    BOOST_TEST(diagonal(0) == 0.0);
    BOOST_TEST(diagonal(1) == -inf);
}
