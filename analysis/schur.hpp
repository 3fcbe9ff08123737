// Real Schur factorisation A = Q S Q' (LAPACK DGEES). Computed once per system and shared by the
// spectrum and both Gramians, which SLICOT's SB03OD accepts in factored form.
#pragma once

#include <complex>
#include <vector>

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

struct RealSchur {
    Matrix S;  // upper quasi-triangular, LAPACK's standardised 2x2 blocks
    Matrix Q;  // orthogonal
    std::vector<std::complex<double>> eigenvalues;  // in the order of the diagonal of S
};

// Throws std::runtime_error if the QR algorithm fails to converge.
RealSchur real_schur(const Matrix& A);

}  // namespace ssmscope::analysis
