#include "analysis/lyap.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "base/error.hpp"
#include "analysis/slicot.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

namespace {

Matrix solve(const char* dico, const Matrix& A, const Matrix& Q) {
    const int n = static_cast<int>(A.rows());
    if (A.cols() != n || Q.rows() != n || Q.cols() != n)
        throw InputError(str("Lyapunov equation: A (", A.rows(), "x", A.cols(), ") and Q (",
                             Q.rows(), "x", Q.cols(), ") must be square of the same order"));
    if (!Q.isApprox(Q.transpose(), 1e-12) && Q.norm() > 0.0)
        throw InputError("Lyapunov equation: Q must be symmetric");
    if (n == 0)
        return Matrix(0, 0);
    Matrix a = A, u(n, n);
    // op(A) = A' turns SLICOT's op(A)'X + X op(A) = scale C into A X + X A' = scale C.
    Matrix x = -0.5 * (Q + Q.transpose());
    const int ld = n;
    Vector wr(n), wi(n);
    std::vector<int> iwork(n * n);
    const int ldwork = 2 * n * n + 8 * n + 8;
    Vector dwork(ldwork);
    double scale = 1.0, sep = 0.0, ferr = 0.0;
    int info = 0;
    fortran::sb03md_(dico, "X", "N", "T", &n, a.data(), &ld, u.data(), &ld, x.data(), &ld, &scale,
                     &sep, &ferr, wr.data(), wi.data(), iwork.data(), dwork.data(), &ldwork, &info,
                     1, 1, 1, 1);
    if (info == n + 1)
        throw std::domain_error(
            *dico == 'C'
                ? "Lyapunov equation is singular: A and -A' share an eigenvalue (l_i + l_j = 0)"
                : "Lyapunov equation is singular: A has reciprocal eigenvalues (l_i l_j = 1)");
    if (info != 0)
        throw std::runtime_error(str("SLICOT SB03MD failed (info ", info, ")"));
    return x / scale;
}

}  // namespace

Matrix lyap(const Matrix& A, const Matrix& Q) {
    return solve("C", A, Q);
}
Matrix dlyap(const Matrix& A, const Matrix& Q) {
    return solve("D", A, Q);
}

double lyap_residual(const Matrix& A, const Matrix& X, const Matrix& Q) {
    const double denom = 2.0 * A.norm() * X.norm() + Q.norm();
    return denom > 0.0 ? (A * X + X * A.transpose() + Q).norm() / denom : 0.0;
}

double dlyap_residual(const Matrix& A, const Matrix& X, const Matrix& Q) {
    const double denom = A.squaredNorm() * X.norm() + X.norm() + Q.norm();
    return denom > 0.0 ? (A * X * A.transpose() - X + Q).norm() / denom : 0.0;
}

}  // namespace ssmscope::analysis
