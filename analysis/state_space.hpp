// State-space value type: x' = Ax + Bu, y = Cx + Du (continuous), or
// x[k+1] = Ax[k] + Bu[k], y[k] = Cx[k] + Du[k] (discrete with sample time dt), following
// python-control: dt = 0 means continuous time, dt > 0 discrete time.
#pragma once

#include <Eigen/Core>

namespace ssmscope::analysis {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
using Index = Eigen::Index;

struct StateSpace {
    Matrix A;  // n x n
    Matrix B;  // n x m (m = 0: no input given)
    Matrix C;  // p x n (p = 0: no output given)
    Matrix D;  // p x m
    double dt = 0.0;

    Index n() const { return A.rows(); }
    Index m() const { return B.cols(); }
    Index p() const { return C.rows(); }
    bool is_discrete() const { return dt > 0.0; }
};

// Builds a system and checks that the sizes fit: A square, B with n rows, C with n columns,
// D p x m (an empty D means zero), every entry finite, dt finite and >= 0. Throws InputError
// naming the matrix.
StateSpace make_ss(Matrix A, Matrix B, Matrix C, Matrix D = {}, double dt = 0.0);

}  // namespace ssmscope::analysis
