#include "analysis/rank.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <Eigen/SVD>

#include "analysis/slicot.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

double default_rank_tol(Index rows, Index cols) {
    return static_cast<double>(std::max(rows, cols)) * std::numeric_limits<double>::epsilon();
}

RankReport rank_from_singular_values(Vector s, double tol) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    RankReport r;
    r.tol = tol;
    r.threshold = s.size() > 0 ? tol * s(0) : 0.0;
    while (r.rank < s.size() && s(r.rank) > r.threshold)
        ++r.rank;
    const double kept = r.rank > 0 ? s(r.rank - 1) : inf;
    const double dropped = r.rank < s.size() ? s(r.rank) : 0.0;
    r.gap = dropped > 0.0 ? kept / dropped : inf;
    // A zero matrix has a zero threshold: every decision is exact.
    const double above = r.threshold > 0.0 ? kept / r.threshold : inf;
    const double below = dropped > 0.0 ? r.threshold / dropped : inf;
    r.margin_decades = std::log10(std::min(above, below));
    r.singular_values = std::move(s);
    return r;
}

Vector singular_values(Matrix M) {
    const int m = static_cast<int>(M.rows()), n = static_cast<int>(M.cols());
    Vector s(std::min(m, n));
    if (s.size() == 0)
        return s;
    const int ld = std::max(1, m), one = 1;
    // Workspace: LAPACK's minimum, max(3 min(m, n) + max(m, n), 5 min(m, n)), with room to block.
    const int lwork = std::max(3 * std::min(m, n) + std::max(m, n), 5 * std::min(m, n)) + 64 * n;
    std::vector<double> work(static_cast<std::size_t>(lwork));
    double none = 0.0;
    int info = 0;
    fortran::dgesvd_("N", "N", &m, &n, M.data(), &ld, s.data(), &none, &one, &none, &one,
                     work.data(), &lwork, &info, 1, 1);
    if (info != 0)
        throw std::runtime_error(str("LAPACK DGESVD failed (info ", info, ")"));
    return s;
}

RankReport svd_rank(const Matrix& M, std::optional<double> tol) {
    Vector s = M.size() > 0 ? Vector(Eigen::BDCSVD<Matrix>(M).singularValues()) : Vector();
    return rank_from_singular_values(std::move(s),
                                     tol.value_or(default_rank_tol(M.rows(), M.cols())));
}

}  // namespace ssmscope::analysis
