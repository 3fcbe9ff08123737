// A units × states heat map of one number per eigenvalue (Re λ_i(A) of every channel or head),
// on a diverging colour scale centred at zero so that the unstable cells stand out.
#pragma once

#include "analysis/state_space.hpp"
#include "app/gui/plots/plot.hpp"

namespace ssmscope::gui {

// values: units x N. The tooltip names the unit, the state and the value.
void plot_heat_map(Plot& plot, const analysis::Matrix& values, const QString& unit_name,
                   const QString& value_name);

}  // namespace ssmscope::gui
