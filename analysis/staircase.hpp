// Controllability and observability staircase forms (SLICOT AB01ND): an orthogonal Z with
// Z'AZ = [Acont *; 0 Auncont], Z'B = [Bcont; 0], Acont block upper Hessenberg with full-row-rank
// subdiagonal blocks. Backward stable, so its rank is the one to trust; the Krylov-matrix SVD is
// not (see ctrb.hpp). Observability is controllability of the dual pair (A', C').
// The pair is balanced first (balance.hpp); Z and the diagnostics refer to the balanced pair.
#pragma once

#include <optional>
#include <vector>

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

struct Staircase {
    int rank = 0;                  // dimension of the controllable (observable) subspace
    std::vector<int> block_sizes;  // orders of the diagonal blocks of Acont; their count is the
                                   // controllability index
    double tol = 0.0;  // relative: a block counts as rank-deficient below tol * its matrix norm
                       // (||B||_F for the first block, ||A||_F after)
    // Diagnostics (when requested): the smallest singular value of a block the staircase kept
    // (B1, A21, A32, ...) and the largest dropped part, ||Z'B|| and ||Z'AZ|| below the controllable
    // rows, each relative to the norm SLICOT compares it with. gap = kept / dropped.
    bool has_diagnostics = false;
    double kept_min = 0.0;
    double dropped_max = 0.0;
    double gap = 0.0;
    Matrix Z;  // the orthogonal transformation (diagnostics only)
};

// tol defaults to default_structural_tol() (tolerance.hpp).
Staircase ctrb_staircase(const Matrix& A, const Matrix& B, std::optional<double> tol = std::nullopt,
                         bool diagnostics = true);
Staircase obsv_staircase(const Matrix& A, const Matrix& C, std::optional<double> tol = std::nullopt,
                         bool diagnostics = true);

}  // namespace ssmscope::analysis
