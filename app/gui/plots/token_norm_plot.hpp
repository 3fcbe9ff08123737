// Every probe token's norm ||x_i^l|| across depth l on a log axis, one line per token coloured
// by its observed behaviour (converging, bounded, diverging), with the selected layer marked.
#pragma once

#include "analysis/token_dynamics.hpp"
#include "app/gui/plots/plot.hpp"

namespace ssmscope::gui {

// At most `max_tokens` lines, evenly spread over the probe, keep a long probe readable.
void plot_token_norms(Plot& plot, const analysis::TokenTrajectories& t, int marked_layer,
                      int max_tokens = 256);

}  // namespace ssmscope::gui
