// Eigen's dense decompositions, used by the tests as references independent of analysis/ (which
// goes through SLICOT and LAPACK). Compiled once here: each decomposition instantiated inside a
// test file cost that file 20 to 60 s of compile time.
#pragma once

#include <complex>

#include <Eigen/Core>

#include "analysis/state_space.hpp"

namespace ssmscope::test {

using analysis::Index;
using analysis::Matrix;
using analysis::Vector;
using CMatrix = Eigen::MatrixXcd;
using CVector = Eigen::VectorXcd;

// The eigenvalues of a real square matrix (Eigen's Francis QR), in no particular order.
CVector eigenvalues(const Matrix& A);

// The eigenvalues of a symmetric matrix, ascending.
Vector symmetric_eigenvalues(const Matrix& S);

// e^M by Padé approximation with scaling and squaring.
Matrix expm(const Matrix& M);

// M⁻¹ and det M by LU with partial pivoting.
Matrix inverse(const Matrix& M);
double determinant(const Matrix& M);
std::complex<double> determinant(const CMatrix& M);

// X with A X = B, by LU with partial pivoting.
Matrix solve(const Matrix& A, const Matrix& B);
CMatrix solve(const CMatrix& A, const CMatrix& B);

// The orthogonal factor Q of M = QR (Householder), square.
Matrix orthogonal_factor(const Matrix& M);

}  // namespace ssmscope::test
