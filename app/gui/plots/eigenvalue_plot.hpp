// Eigenvalues in the complex plane: for a continuous A with the unstable right half-plane shaded
// and the imaginary axis drawn; for a discrete Ā with the unit circle. One scatter graph per
// set, named for the tooltip.
#pragma once

#include <complex>
#include <vector>

#include "app/gui/plots/plot.hpp"

namespace ssmscope::gui {

struct EigenvalueSet {
    QString name;
    std::vector<std::complex<double>> values;
};

void plot_eigenvalues(Plot& plot, const std::vector<EigenvalueSet>& sets, bool discrete);

}  // namespace ssmscope::gui
