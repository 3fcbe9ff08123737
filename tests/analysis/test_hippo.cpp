// The HiPPO-LegS matrix (Sparse Mamba paper, eq. 14): A_nk = -sqrt((2n+1)(2k+1)) for n > k,
// -(n+1) for n = k, 0 for n < k. Lower triangular, so its eigenvalues are -1, ..., -N exactly;
// with the LegS input B_n = sqrt(2n+1) it is controllable, and it is far from normal.
#include <cmath>

#include <boost/test/unit_test.hpp>

#include "analysis/controllability.hpp"
#include "analysis/gram.hpp"
#include "analysis/spectrum.hpp"

using namespace ssmscope::analysis;

namespace {

Matrix hippo_legs(Index N) {
    Matrix A = Matrix::Zero(N, N);
    for (Index n = 0; n < N; ++n)
        for (Index k = 0; k <= n; ++k)
            A(n, k) = n > k ? -std::sqrt(static_cast<double>((2 * n + 1) * (2 * k + 1)))
                            : -static_cast<double>(n + 1);
    return A;
}

Vector legs_b(Index N) {
    Vector B(N);
    for (Index n = 0; n < N; ++n)
        B(n) = std::sqrt(static_cast<double>(2 * n + 1));
    return B;
}

}  // namespace

BOOST_AUTO_TEST_CASE(eigenvalues_are_minus_one_to_minus_n) {
    for (Index N : {4, 8}) {
        const Spectrum s = spectrum(hippo_legs(N), false);
        BOOST_TEST(s.stable());
        // Descending real part: -1, -2, ..., -N. The matrix is highly non-normal, so the computed
        // eigenvalues carry errors far above eps; 1e-6 is what a backward-stable solver gives.
        for (Index i = 0; i < N; ++i) {
            BOOST_TEST(std::abs(s.eigenvalues[i] -
                                std::complex<double>(-static_cast<double>(i + 1), 0.0)) < 1e-6);
        }
        BOOST_TEST(s.spectral_abscissa == -1.0, boost::test_tools::tolerance(1e-8));
    }
}

BOOST_AUTO_TEST_CASE(legs_pair_is_controllable_with_a_gramian) {
    for (Index N : {4, 8, 16}) {
        const Matrix A = hippo_legs(N);
        const Vector B = legs_b(N);
        const RankDecision d = ctrb_rank(A, B);
        BOOST_TEST(d.rank == N);
        const Gramian g = gram(A, B, GramKind::Controllability, false);
        BOOST_REQUIRE(g.defined());
        const Matrix BB = B * B.transpose();
        BOOST_TEST((A * *g.W + *g.W * A.transpose() + BB).norm() / BB.norm() < 1e-10);
    }
}
