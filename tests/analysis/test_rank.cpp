// Numerical rank by SVD: tolerance, threshold, gap and margin on matrices with known spectra.
#include <cmath>
#include <limits>
#include <utility>

#include <boost/test/unit_test.hpp>

#include "analysis/rank.hpp"
#include "tests/support/systems.hpp"

using namespace ssmscope::analysis;
using ssmscope::test::randn;

constexpr double eps = std::numeric_limits<double>::epsilon();

BOOST_AUTO_TEST_CASE(product_of_thin_factors_has_their_rank) {
    std::mt19937 rng(1);
    const Matrix M = randn(7, 2, rng) * randn(2, 5, rng);  // rank 2 exactly, up to rounding
    const RankReport r = svd_rank(M);
    BOOST_TEST(r.rank == 2);
    BOOST_TEST(r.tol == 7 * eps);
    BOOST_TEST(r.threshold == 7 * eps * r.singular_values(0));
    BOOST_TEST(r.gap > 1e12);  // sigma_2 = O(1) against rounding-level sigma_3
    BOOST_TEST(r.singular_values.size() == 5);
}

BOOST_AUTO_TEST_CASE(user_tolerance_gap_and_margin_follow_the_singular_values) {
    // Orthogonal factors around diag(1, 1e-3, 1e-9): the singular values are exactly those.
    std::mt19937 rng(2);
    const Matrix U = ssmscope::test::random_orthogonal(3, rng);
    const Matrix V = ssmscope::test::random_orthogonal(3, rng);
    const Matrix M = U * Vector(Eigen::Vector3d(1.0, 1e-3, 1e-9)).asDiagonal() * V.transpose();

    const RankReport r = svd_rank(M, 1e-6);
    BOOST_TEST(r.rank == 2);
    BOOST_TEST(r.threshold == 1e-6 * r.singular_values(0));
    BOOST_TEST(r.gap == 1e6, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(r.margin_decades == 3.0,
               boost::test_tools::tolerance(1e-6));  // 1e-3 / 1e-6, 1e-6 / 1e-9

    BOOST_TEST(svd_rank(M).rank == 3);  // 1e-9 is far above 3 eps
    BOOST_TEST(svd_rank(M, 1e-2).rank == 1);
}

BOOST_AUTO_TEST_CASE(zero_and_identity_are_decided_exactly) {
    const RankReport zero = svd_rank(Matrix::Zero(3, 4));
    BOOST_TEST(zero.rank == 0);
    BOOST_TEST(std::isinf(zero.gap));
    const RankReport id = svd_rank(Matrix::Identity(4, 4));
    BOOST_TEST(id.rank == 4);
    BOOST_TEST(std::isinf(id.gap));  // nothing dropped
    BOOST_TEST(id.margin_decades == std::log10(1.0 / (4 * eps)),
               boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(lapack_singular_values_are_those_of_the_orthogonal_factors) {
    // U diag(s) V' with known s, wide, tall and square, including an exactly zero one.
    std::mt19937 rng(5);
    for (const auto& [rows, cols] : {std::pair{16, 17}, std::pair{40, 6}, std::pair{5, 5}}) {
        const Index k = std::min(rows, cols);
        Vector s =
            Vector::LinSpaced(k, 0.0, -9.0).unaryExpr([](double e) { return std::pow(10.0, e); });
        s(k - 1) = 0.0;
        const Matrix U = ssmscope::test::random_orthogonal(rows, rng).leftCols(k);
        const Matrix V = ssmscope::test::random_orthogonal(cols, rng).leftCols(k);
        const Vector got = singular_values(U * s.asDiagonal() * V.transpose());
        BOOST_REQUIRE(got.size() == k);
        for (Index i = 0; i < k; ++i)
            BOOST_TEST(std::abs(got(i) - s(i)) <= 50 * eps);  // backward stable: eps ||M||
    }
}
