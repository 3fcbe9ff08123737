// The staircase rank of a single-input pair (A, b) as ctrb_staircase decides it, quickly where the
// pair is clearly controllable. The frozen ranks of a companion layer need one per (unit, token),
// millions per model, and SLICOT's AB01ND spends most of its time on a 16 x 16 pair in LAPACK's
// calling overhead.
//
// The same Householder reduction to controller-Hessenberg form as AB01ND, on the same balanced pair
// (TB01ID), only the part that later decisions read: AB01ND's rule for one input is that the
// reduction stops at the first step whose column (b, then each subdiagonal) has norm below
// tol ||[b A]||_F. Where every one of them is above kCertainMargin times that bound, no rounding
// difference between the two operation orders (of order N eps ||[b A]||_F, amplified by the
// conditioning of the reduction) can change the verdict, and the rank is N; otherwise AB01ND
// itself decides.
#pragma once

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

inline constexpr double kCertainMargin = 1e3;

struct SingleInputRank {
    int rank = 0;
    bool certified = false;  // decided by the clear-margin reduction, not by AB01ND
};

SingleInputRank single_input_rank(const Matrix& A, const Vector& b, double tol);

}  // namespace ssmscope::analysis
