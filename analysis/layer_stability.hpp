// Spectrum and stability of a selective layer, unit by unit: the continuous A (spectral abscissa
// α = max Re λ, stable iff α < 0) and the discrete Ā = exp(Δ A) over the steps Δ that the probe
// text produced. The eigenvalues of exp(ΔA) are exp(Δλ), so ρ(Ā) = exp(Δ α): the radius closest
// to (or beyond) 1 over [Δ_min, Δ_max] is exp(Δ_min α) for a stable unit and exp(Δ_max α) for an
// unstable one, with no matrix exponential needed.
#pragma once

#include <complex>
#include <vector>

#include "analysis/selective_layer.hpp"
#include "analysis/spectrum.hpp"

namespace ssmscope::analysis {

struct Histogram {
    double lo = 0, hi = 0;      // the range the bins split evenly
    std::vector<Index> counts;  // values in each bin (the last bin includes hi)
};
Histogram histogram(const std::vector<double>& values, int bins);

struct UnitStability {
    double abscissa = 0;  // max Re λ(A)
    Stability continuous = Stability::Stable;
    double delta_min = 0, delta_max = 0;  // over the probe tokens
    double radius = 0;                    // max over the observed Δ of ρ(exp(Δ A))
    Stability discrete = Stability::Stable;
};

struct LayerStability {
    std::vector<UnitStability> units;
    std::vector<std::vector<std::complex<double>>> eigenvalues;  // per unit, descending real part
    Index unstable_continuous = 0;  // units not asymptotically stable (marginal included)
    Index unstable_discrete = 0;
    Index worst_unit = 0;  // largest abscissa
    double worst_abscissa = 0;
    Index worst_discrete_unit = 0;  // largest radius
    double worst_radius = 0;
    double delta_min = 0, delta_max = 0;
    Histogram abscissa_histogram;  // of the units' abscissas
};

LayerStability layer_stability(const SelectiveLayer& layer);

}  // namespace ssmscope::analysis
