#include "analysis/layer_stability.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/parallel_for.hpp"

namespace ssmscope::analysis {

Histogram histogram(const std::vector<double>& values, int bins) {
    Histogram h;
    h.counts.assign(static_cast<std::size_t>(std::max(bins, 1)), 0);
    if (values.empty())
        return h;
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    h.lo = *lo;
    h.hi = *hi;
    const double width = (h.hi - h.lo) / static_cast<double>(h.counts.size());
    for (double v : values) {
        auto bin = width > 0 ? static_cast<std::size_t>((v - h.lo) / width) : 0;
        ++h.counts[std::min(bin, h.counts.size() - 1)];
    }
    return h;
}

LayerStability layer_stability(const SelectiveLayer& layer) {
    const Index units = layer.units();
    LayerStability s;
    s.units.resize(static_cast<std::size_t>(units));
    s.eigenvalues.resize(static_cast<std::size_t>(units));
    parallel_for(units, 0, [&](Index begin, Index end) {
        for (Index u = begin; u < end; ++u) {
            const Matrix A = layer.A(u);
            // The boundary tolerance of spectrum() scales with ||A||: eigenvalues within rounding
            // of the imaginary axis are reported marginal, not stable.
            const Spectrum sp = spectrum(layer.eigenvalues(u), A.norm(), false);
            UnitStability& us = s.units[static_cast<std::size_t>(u)];
            us.abscissa = sp.spectral_abscissa;
            us.continuous = sp.stability;
            us.delta_min = layer.delta.col(u).minCoeff();
            us.delta_max = layer.delta.col(u).maxCoeff();
            const double d = us.abscissa < 0 ? us.delta_min : us.delta_max;
            us.radius = std::exp(d * us.abscissa);
            // |exp(Δλ)| = 1 exactly when Δ Re λ = 0: the discrete verdict inherits the
            // continuous one, scaled by the step (a zero step leaves Ā = I, marginal).
            const double margin = d * sp.boundary_tol;
            us.discrete = d * us.abscissa < -margin   ? Stability::Stable
                          : d * us.abscissa <= margin ? Stability::Marginal
                                                      : Stability::Unstable;
            s.eigenvalues[static_cast<std::size_t>(u)] = sp.eigenvalues;
        }
    });
    std::vector<double> abscissas;
    s.worst_abscissa = -std::numeric_limits<double>::infinity();
    s.delta_min = std::numeric_limits<double>::infinity();
    s.delta_max = 0;
    for (Index u = 0; u < units; ++u) {
        const UnitStability& us = s.units[static_cast<std::size_t>(u)];
        abscissas.push_back(us.abscissa);
        s.unstable_continuous += us.continuous != Stability::Stable;
        s.unstable_discrete += us.discrete != Stability::Stable;
        if (us.abscissa > s.worst_abscissa) {
            s.worst_abscissa = us.abscissa;
            s.worst_unit = u;
        }
        if (us.radius > s.worst_radius) {
            s.worst_radius = us.radius;
            s.worst_discrete_unit = u;
        }
        s.delta_min = std::min(s.delta_min, us.delta_min);
        s.delta_max = std::max(s.delta_max, us.delta_max);
    }
    s.abscissa_histogram = histogram(abscissas, 20);
    return s;
}

}  // namespace ssmscope::analysis
