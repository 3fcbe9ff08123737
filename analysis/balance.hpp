// Balancing of a pair (A, B) by a diagonal similarity (SLICOT TB01ID): D^-1 A D, D^-1 B with D
// chosen so that rows and columns of [A B] have comparable norms. Rank is invariant under it, and
// the relative tolerances of the staircase and PBH tests only mean something on a balanced pair:
// the companion matrix of (s+1)(s+2)...(s+16) has entries up to 2e13 beside its unit
// superdiagonal, and unbalanced it looks uncontrollable from e_N.
#pragma once

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

struct BalancedPair {
    Matrix A;      // D^-1 A D
    Matrix B;      // D^-1 B
    Vector scale;  // the diagonal of D
};

BalancedPair balance(const Matrix& A, const Matrix& B);

}  // namespace ssmscope::analysis
