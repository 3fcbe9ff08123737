// The controllability (observability) rank a control engineer can trust: decided by the
// staircase form, with the Krylov-matrix SVD rank and the PBH test beside it, and a flag when
// they disagree. Disagreement is expected for stable diagonal systems, whose Krylov matrices are
// Vandermonde-like and look rank-deficient to an SVD although the pair is controllable.
#pragma once

#include <optional>

#include "analysis/pbh.hpp"
#include "analysis/rank.hpp"
#include "analysis/staircase.hpp"

namespace ssmscope::analysis {

struct RankDecision {
    Index n = 0;   // order of A
    int rank = 0;  // = staircase.rank
    Staircase staircase;
    RankReport svd;  // of ctrb(A, B) (obsv(A, C)), with its own default tolerance unless tol given
    PbhReport pbh;
    bool cross_checked = false;  // svd and pbh computed (off for bulk runs: staircase only)
    bool disagree = false;       // svd.rank or pbh.rank differs from rank
    bool full() const { return rank == n; }
};

// tol: one relative tolerance for all three methods; by default the staircase and PBH use
// default_structural_tol() (sqrt(eps)) and the SVD max(rows, cols) eps.
RankDecision ctrb_rank(const Matrix& A, const Matrix& B, std::optional<double> tol = std::nullopt);
RankDecision obsv_rank(const Matrix& A, const Matrix& C, std::optional<double> tol = std::nullopt);

}  // namespace ssmscope::analysis
