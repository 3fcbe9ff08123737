// Singular values on a log axis against their index, each set with its rank threshold as a
// dashed line of the same colour: how far the kept and the dropped values are from the cut.
#pragma once

#include <vector>

#include "analysis/state_space.hpp"
#include "app/gui/plots/plot.hpp"

namespace ssmscope::gui {

struct SingularValueSet {
    QString name;
    analysis::Vector values;  // descending
    double threshold = 0;     // absolute cut; 0: none drawn
};

void plot_singular_values(Plot& plot, const std::vector<SingularValueSet>& sets);

}  // namespace ssmscope::gui
