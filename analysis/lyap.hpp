// Lyapunov equations in python-control's convention, solved by SLICOT SB03MD (Bartels-Stewart,
// Barraud for the discrete case):
//   lyap(A, Q):  A X + X A' + Q = 0
//   dlyap(A, Q): A X A' - X + Q = 0
// Q must be symmetric. They have a unique solution iff no two eigenvalues of A satisfy
// l_i + l_j = 0 (lyap) or l_i l_j = 1 (dlyap); otherwise std::domain_error is thrown.
#pragma once

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

Matrix lyap(const Matrix& A, const Matrix& Q);
Matrix dlyap(const Matrix& A, const Matrix& Q);

// Relative residual ||A X + X A' + Q|| / (2 ||A|| ||X|| + ||Q||) (Frobenius), and the discrete
// counterpart: what a backward-stable solver drives to O(eps).
double lyap_residual(const Matrix& A, const Matrix& X, const Matrix& Q);
double dlyap_residual(const Matrix& A, const Matrix& X, const Matrix& Q);

}  // namespace ssmscope::analysis
