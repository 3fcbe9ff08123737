#include "analysis/single_input_rank.hpp"

#include <cmath>

#include <Eigen/Householder>

#include "analysis/balance.hpp"
#include "analysis/staircase.hpp"

namespace ssmscope::analysis {

SingleInputRank single_input_rank(const Matrix& A, const Vector& b, double tol) {
    const Index n = A.rows();
    const BalancedPair bal = balance(A, b);
    const double bound =
        kCertainMargin * tol * std::sqrt(bal.A.squaredNorm() + bal.B.squaredNorm());
    const auto staircase = [&] { return SingleInputRank{ctrb_staircase(A, b, tol, false).rank}; };
    if (n == 0 || !(bal.B.norm() >= bound))
        return staircase();
    Matrix H = bal.A;
    const Vector v = bal.B.col(0);
    Vector essential(n);
    double tau = 0, beta = 0;
    Vector work(n);
    // Step 0 reflects b onto e_1; step k >= 1 reflects column k-1 of the trailing block below its
    // diagonal onto e_1. Rows and columns before the step are never read again: only the trailing
    // block is transformed.
    for (Index k = 0; k + 1 < n; ++k) {
        const Index m = n - k;  // the trailing block H(k:, k:) and the column that enters it
        auto ess = essential.head(m - 1);
        if (k == 0) {
            v.makeHouseholder(ess, tau, beta);
        } else {
            const auto x = H.col(k - 1).tail(m);
            if (!(x.norm() >= bound))
                return staircase();
            x.makeHouseholder(ess, tau, beta);
        }
        auto block = H.bottomRightCorner(m, m);
        block.applyHouseholderOnTheLeft(ess, tau, work.data());
        block.applyHouseholderOnTheRight(ess, tau, work.data());
    }
    // The last subdiagonal entry, H(n-1, n-2), is a column of length one.
    if (n > 1 && !(std::abs(H(n - 1, n - 2)) >= bound))
        return staircase();
    return {static_cast<int>(n), true};
}

}  // namespace ssmscope::analysis
