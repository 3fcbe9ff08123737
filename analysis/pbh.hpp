// Popov-Belevitch-Hautus test: (A, B) is controllable iff rank [A - lambda I, B] = n at every
// eigenvalue lambda of A; (A, C) is observable iff (A', C') is controllable. Unlike a rank, it
// says which modes are weak: the residual of each eigenvalue is how far [A - lambda I, B] is from
// losing rank there.
#pragma once

#include <complex>
#include <optional>
#include <vector>

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

struct PbhMode {
    std::complex<double> eigenvalue;  // the mean of a cluster of computed eigenvalues
    int multiplicity = 1;             // computed eigenvalues in the cluster
    double residual = 0.0;  // sigma_min([A - lambda I, B]) / ||[A, B]||_F, on the balanced pair
    int deficiency = 0;     // n - rank [A - lambda I, B], at most the multiplicity
};

struct PbhReport {
    // n minus the summed deficiencies: the controllable dimension when every uncontrollable
    // eigenvalue is non-defective (otherwise an upper bound).
    int rank = 0;
    double tol = 0.0;  // relative, as the residuals
    std::vector<PbhMode> modes;
};

// tol defaults to default_structural_tol() (tolerance.hpp).
PbhReport pbh_ctrb(const Matrix& A, const Matrix& B, std::optional<double> tol = std::nullopt);
PbhReport pbh_obsv(const Matrix& A, const Matrix& C, std::optional<double> tol = std::nullopt);

}  // namespace ssmscope::analysis
