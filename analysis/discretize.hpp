// Zero-order-hold discretisation. The exact ZOH pair
//   Ad = exp(A dt),  Bd = (integral_0^dt exp(A s) ds) B = dt phi1(A dt) B
// is read off one matrix exponential of the augmented matrix [[A, B], [0, 0]] dt, which needs no
// inverse of A (A may be singular, as an integrator's is).
#pragma once

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

struct ZohPair {
    Matrix Ad;  // n x n
    Matrix Bd;  // n x m
};

ZohPair zoh(const Matrix& A, const Matrix& B, double dt);

// A continuous system sampled with period dt > 0 (C and D carry over). Throws InputError for a
// system that is already discrete or a dt that is not positive.
StateSpace c2d(const StateSpace& sys, double dt);

}  // namespace ssmscope::analysis
