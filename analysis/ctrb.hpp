// Kalman (Krylov) matrices, as python-control and MATLAB name them:
// ctrb(A, B) = [B, AB, ..., A^(n-1) B], obsv(A, C) = [C; CA; ...; CA^(n-1)].
// Their SVD rank is easily fooled: for stable diagonal A the columns grow like the powers of the
// eigenvalues (a Vandermonde structure), so use the staircase (staircase.hpp) to decide ranks.
#pragma once

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

Matrix ctrb(const Matrix& A, const Matrix& B);  // n x (n m)
Matrix obsv(const Matrix& A, const Matrix& C);  // (n p) x n

}  // namespace ssmscope::analysis
