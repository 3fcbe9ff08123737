#include "tests/support/dense.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <Eigen/QR>
#include <unsupported/Eigen/MatrixFunctions>

namespace ssmscope::test {

CVector eigenvalues(const Matrix& A) {
    return Eigen::EigenSolver<Matrix>(A, false).eigenvalues();
}

Vector symmetric_eigenvalues(const Matrix& S) {
    return Eigen::SelfAdjointEigenSolver<Matrix>(S, Eigen::EigenvaluesOnly).eigenvalues();
}

Matrix expm(const Matrix& M) {
    return M.exp();
}

Matrix inverse(const Matrix& M) {
    return Eigen::PartialPivLU<Matrix>(M).inverse();
}

double determinant(const Matrix& M) {
    return Eigen::PartialPivLU<Matrix>(M).determinant();
}

std::complex<double> determinant(const CMatrix& M) {
    return Eigen::PartialPivLU<CMatrix>(M).determinant();
}

Matrix solve(const Matrix& A, const Matrix& B) {
    return Eigen::PartialPivLU<Matrix>(A).solve(B);
}

CMatrix solve(const CMatrix& A, const CMatrix& B) {
    return Eigen::PartialPivLU<CMatrix>(A).solve(B);
}

Matrix orthogonal_factor(const Matrix& M) {
    return Eigen::HouseholderQR<Matrix>(M).householderQ();
}

}  // namespace ssmscope::test
