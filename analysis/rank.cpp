#include "analysis/rank.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/SVD>

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

RankReport svd_rank(const Matrix& M, std::optional<double> tol) {
    Vector s = M.size() > 0 ? Vector(Eigen::BDCSVD<Matrix>(M).singularValues()) : Vector();
    return rank_from_singular_values(std::move(s),
                                     tol.value_or(default_rank_tol(M.rows(), M.cols())));
}

}  // namespace ssmscope::analysis
