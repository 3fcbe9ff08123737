// The impulse response |K_k| = |c_t Ā_t^k B̄_t| of the frozen unit on a log axis, with the
// tolerance (a fraction of the peak) dashed and the memory horizon as a vertical line.
#pragma once

#include "analysis/impulse_response.hpp"
#include "app/gui/plots/plot.hpp"

namespace ssmscope::gui {

void plot_impulse_response(Plot& plot, const analysis::ImpulseResponse& r, double tol);

}  // namespace ssmscope::gui
