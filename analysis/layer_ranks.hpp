// Controllability and observability of a selective layer's frozen-time systems: (A, b_t) and
// (A, c_t) of every unit at every probe token.
//
// How each rank is decided, at every (unit, token) pair:
//  - diagonal and scalar A (Mamba, Mamba-2): the PBH test in closed form. The eigenvectors of a
//    diagonal A are the coordinate axes, so the rank is the number of eigenvalue clusters
//    (|a_i - a_j| <= tol max|a|) in which b has an entry above tol ||b||. O(N) per pair: a 130M
//    Mamba has 9.4 million pairs per probe of 256 tokens, too many for a staircase each. The
//    entries of b_t above the cut depend on b_t only, so they are found once per group and token;
//    a unit whose eigenvalues are all distinct (Mamba's generic case) then reads its rank off the
//    group, and a scalar A's rank is 1 for every b_t != 0: a few ns per pair.
//  - companion A with the fixed vector e_N (SC-Mamba's b, SO-Mamba's c): one staircase per unit,
//    valid at every token;
//  - companion A with a selective vector: the staircase (SLICOT AB01ND) at every pair.
// Cross checks: on a deterministic, evenly spread sample of pairs (all of them when the layer has
// few) the staircase, the SVD of the Krylov matrix and the PBH test all run, and every
// disagreement with the decision is counted. The SVD is expected to disagree on stable diagonal
// systems, whose Krylov matrices are Vandermonde-like.
#pragma once

#include <optional>
#include <vector>

#include "analysis/selective_layer.hpp"

namespace ssmscope::analysis {

struct RankOptions {
    std::optional<double> tol;  // relative; default default_structural_tol()
    // Per layer and per kind (ctrb, obsv), at N <= 16. A three-way decision costs O(N^4) (PBH is
    // N SVDs of N x (N+1)), so above N = 16 the sample shrinks by (16/N)^4 to keep a layer's cost
    // that of N = 16: 4 pairs at N = 32, none beyond (FrozenRanks says how many ran).
    // 64 because a check costs about 0.2 ms at N = 16 and a closed-form decision 5 ns: 2 x 64
    // checks are ~25 ms of a 130M layer's ~100 ms of analysis, where 256 were three times the rest.
    Index cross_check_pairs = 64;
};

struct FrozenRanks {
    const char* method = "";  // "pbh-diagonal", "staircase", "staircase-fixed-vector"
    double tol = 0;           // relative tolerance of the decisions
    Index pairs = 0;          // units x tokens
    int min = 0, median = 0, max = 0;
    double fraction_full = 0;           // of the pairs with rank N
    std::vector<int> unit_min_rank;     // per unit, over the tokens
    std::vector<Index> unit_min_token;  // the first token where that minimum occurs
    // Cross checks on the sample.
    Index cross_checked = 0;
    Index staircase_disagreements = 0;
    Index svd_disagreements = 0;
    Index pbh_disagreements = 0;
    double svd_tol = 0;            // the SVD's relative tolerance (max(rows, cols) eps by default)
    double svd_gap_min = 0;        // smallest singular-value gap sigma_r / sigma_(r+1) seen
    double staircase_gap_min = 0;  // smallest kept/dropped ratio of the staircases
};

struct LayerRanks {
    FrozenRanks ctrb, obsv;
};

LayerRanks layer_ranks(const SelectiveLayer& layer, const RankOptions& options = {});

// The closed-form PBH rank of (diag(a), b) described above.
int diagonal_pbh_rank(const Vector& a, const Vector& b, double tol);

}  // namespace ssmscope::analysis
