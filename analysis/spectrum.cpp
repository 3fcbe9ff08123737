#include "analysis/spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>

#include "analysis/schur.hpp"

namespace ssmscope::analysis {

const char* to_string(Stability s) {
    switch (s) {
        case Stability::Stable:
            return "stable";
        case Stability::Marginal:
            return "marginal";
        case Stability::Unstable:
            return "unstable";
    }
    return "?";
}

std::ostream& operator<<(std::ostream& os, Stability s) {
    return os << to_string(s);
}

Spectrum spectrum(std::vector<std::complex<double>> eig, double norm_a, bool discrete) {
    Spectrum s;
    s.discrete = discrete;
    std::sort(eig.begin(), eig.end(), [](auto a, auto b) {
        return a.real() != b.real() ? a.real() > b.real() : a.imag() > b.imag();
    });
    s.spectral_abscissa = -std::numeric_limits<double>::infinity();
    s.spectral_radius = 0.0;
    for (auto l : eig) {
        s.spectral_abscissa = std::max(s.spectral_abscissa, l.real());
        s.spectral_radius = std::max(s.spectral_radius, std::abs(l));
    }
    const auto n = static_cast<double>(eig.size());
    s.boundary_tol = n * std::numeric_limits<double>::epsilon() * norm_a;
    const double distance = discrete ? 1.0 - s.spectral_radius : -s.spectral_abscissa;
    s.stability = eig.empty() || distance > s.boundary_tol ? Stability::Stable
                  : distance >= -s.boundary_tol            ? Stability::Marginal
                                                           : Stability::Unstable;
    s.eigenvalues = std::move(eig);
    return s;
}

Spectrum spectrum(const Matrix& A, bool discrete) {
    const RealSchur schur = real_schur(A);
    return spectrum(schur.eigenvalues, schur.balanced_norm, discrete);
}

}  // namespace ssmscope::analysis
