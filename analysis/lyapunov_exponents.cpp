#include "analysis/lyapunov_exponents.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include <Eigen/QR>

#include "base/cancel.hpp"
#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

namespace {

Vector sorted_descending(Vector v) {
    std::sort(v.begin(), v.end(), std::greater<>());
    return v;
}

}  // namespace

Vector lyapunov_exponents(Index n, Index steps,
                          const std::function<void(Index t, Matrix& A_t)>& step_matrix) {
    if (n < 1)
        throw InputError(str("lyapunov_exponents: the state size is ", n, ", expected >= 1"));
    if (steps < 1)
        throw InputError(str("lyapunov_exponents: ", steps, " steps, expected >= 1"));
    Matrix A, Z(n, n);
    Matrix Q = Matrix::Identity(n, n);
    Vector sum = Vector::Zero(n);
    Eigen::HouseholderQR<Matrix> qr(n, n);
    for (Index t = 1; t <= steps; ++t) {
        if (t % 256 == 0)
            throw_if_cancelled();
        A.setZero(n, n);
        step_matrix(t, A);
        if (A.rows() != n || A.cols() != n)
            throw InputError(str("lyapunov_exponents: step t = ", t, ": A_t is ", A.rows(), " x ",
                                 A.cols(), ", expected ", n, " x ", n));
        if (!A.allFinite())
            throw InputError(
                str("lyapunov_exponents: step t = ", t, ": A_t has a non-finite entry"));
        Z.noalias() = A * Q;
        qr.compute(Z);
        Q = qr.householderQ();
        for (Index i = 0; i < n; ++i) {
            const double r = qr.matrixQR()(i, i);
            // Flipping column i of Q (and row i of R) makes R(i,i) >= 0: the factorisation is then
            // unique for a nonsingular Z, and Q_t does not depend on Householder's sign choices.
            // log 0 = -inf stays -inf in every later sum.
            if (r < 0.0)
                Q.col(i) = -Q.col(i);
            sum(i) += std::log(std::abs(r));
        }
    }
    return sorted_descending(sum / static_cast<double>(steps));
}

Vector lyapunov_exponents(const std::vector<Matrix>& steps) {
    if (steps.empty())
        throw InputError("lyapunov_exponents: no steps, expected >= 1");
    return lyapunov_exponents(
        steps.front().rows(), static_cast<Index>(steps.size()),
        [&](Index t, Matrix& A_t) { A_t = steps[static_cast<std::size_t>(t - 1)]; });
}

Vector lyapunov_exponents_diagonal(const Matrix& log_abs_diag) {
    if (log_abs_diag.size() == 0)
        throw InputError(str("lyapunov_exponents_diagonal: log|A_t(i,i)| is ", log_abs_diag.rows(),
                             " x ", log_abs_diag.cols(), ", expected at least one step and state"));
    for (Index t = 0; t < log_abs_diag.rows(); ++t)
        for (Index i = 0; i < log_abs_diag.cols(); ++i) {
            const double v = log_abs_diag(t, i);
            // -inf is a zero on the diagonal; +inf or NaN cannot come from a finite A_t.
            if (std::isnan(v) || v == std::numeric_limits<double>::infinity())
                throw InputError(str("lyapunov_exponents_diagonal: step t = ", t + 1, ", state ", i,
                                     ": log|A_t(i,i)| = ", v));
        }
    return sorted_descending(log_abs_diag.colwise().mean().transpose());
}

}  // namespace ssmscope::analysis
