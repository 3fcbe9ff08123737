// Eigenvalues of A and the stability verdict: continuous time is asymptotically stable iff the
// spectral abscissa max Re(lambda) < 0, discrete time iff the spectral radius max |lambda| < 1.
#pragma once

#include <complex>
#include <iosfwd>
#include <vector>

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

enum class Stability {
    Stable,    // strictly inside the stability region
    Marginal,  // on its boundary to within rounding: not asymptotically stable
    Unstable,
};

const char* to_string(Stability s);
std::ostream& operator<<(std::ostream& os, Stability s);

struct Spectrum {
    std::vector<std::complex<double>> eigenvalues;  // descending real part, then imaginary part
    double spectral_abscissa = 0.0;                 // max Re(lambda)
    double spectral_radius = 0.0;                   // max |lambda|
    bool discrete = false;
    Stability stability = Stability::Stable;
    // Eigenvalues within this distance of the boundary (Re = 0, or |.| = 1) are Marginal: a
    // backward-stable eigensolver moves them by about n * eps * ||A|| (A balanced), so their
    // side is unknown.
    double boundary_tol = 0.0;

    bool stable() const { return stability == Stability::Stable; }
};

Spectrum spectrum(const Matrix& A, bool discrete);
// From eigenvalues already computed (e.g. by real_schur) of A with Frobenius norm `norm_a`
// (of the balanced A, RealSchur::balanced_norm, when they came from it).
Spectrum spectrum(std::vector<std::complex<double>> eigenvalues, double norm_a, bool discrete);

}  // namespace ssmscope::analysis
