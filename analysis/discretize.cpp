#include "analysis/discretize.hpp"

#include <cmath>

#include <unsupported/Eigen/MatrixFunctions>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

ZohPair zoh(const Matrix& A, const Matrix& B, double dt) {
    const Index n = A.rows(), m = B.cols();
    Matrix M = Matrix::Zero(n + m, n + m);
    M.topLeftCorner(n, n) = A * dt;
    M.topRightCorner(n, m) = B * dt;
    const Matrix E = M.exp();
    return {E.topLeftCorner(n, n), E.topRightCorner(n, m)};
}

StateSpace c2d(const StateSpace& sys, double dt) {
    if (sys.is_discrete())
        throw InputError("c2d: the system is already discrete");
    if (!(dt > 0.0) || !std::isfinite(dt))
        throw InputError(str("c2d: the sample time must be a positive number, got ", dt));
    ZohPair d = zoh(sys.A, sys.B, dt);
    return StateSpace{std::move(d.Ad), std::move(d.Bd), sys.C, sys.D, dt};
}

}  // namespace ssmscope::analysis
