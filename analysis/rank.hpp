// Numerical rank by the singular value decomposition, with the tolerance and the singular-value
// gap that tell how trustworthy the number is.
#pragma once

#include <optional>

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

struct RankReport {
    int rank = 0;
    // Relative tolerance: sigma_i counts as nonzero when sigma_i > tol * sigma_max.
    double tol = 0.0;
    double threshold = 0.0;  // the absolute cut, tol * sigma_max
    Vector singular_values;  // descending
    // sigma_rank / sigma_(rank+1): how far apart the kept and the dropped singular values are
    // (+inf when nothing was dropped, or the first dropped one is exactly zero).
    double gap = 0.0;
    // log10 of the distance of the decision from the threshold: min(sigma_rank / threshold,
    // threshold / sigma_(rank+1)). Below ~2 (a factor 100) the rank is fragile.
    double margin_decades = 0.0;
};

// Default relative tolerance of an r x c matrix, as MATLAB's rank and numpy's matrix_rank:
// max(r, c) * eps.
double default_rank_tol(Index rows, Index cols);

// tol (relative) defaults to default_rank_tol(M.rows(), M.cols()).
RankReport svd_rank(const Matrix& M, std::optional<double> tol = std::nullopt);

// The singular values of M, descending, without vectors (LAPACK DGESVD). At the small sizes of
// the per-layer analyses (N <= 128) about three times faster than Eigen's Jacobi SVD.
Vector singular_values(Matrix M);

// Rank decision on given singular values (descending), shared by the SVD and PBH tests.
RankReport rank_from_singular_values(Vector singular_values, double tol);

}  // namespace ssmscope::analysis
