// Memory horizons of a selective layer (docs/numbers.md §6(e)): the impulse response of its units
// frozen at one probe token, on an evenly spread sample of units (all of them when the layer has
// few), summarised as the distribution of their horizons.
#pragma once

#include <optional>
#include <vector>

#include "analysis/impulse_response.hpp"

namespace ssmscope::analysis {

struct LayerMemory {
    Index token = 0;
    double tol = 0;
    std::vector<Index> units;                                    // the sampled units, ascending
    std::vector<std::optional<Index>> horizon;                   // per sampled unit
    std::vector<double> decay_rate;                              // per sampled unit, -log ρ(Ā_t)
    Index undefined = 0;                                         // sampled units without a horizon
    std::string undefined_reason;                                // of the first of them
    Index horizon_min = 0, horizon_median = 0, horizon_max = 0;  // over the defined ones
    Index longest_unit = 0;                                      // the unit of horizon_max
};

// token < 0: the last probe token. At most max_units units are sampled.
LayerMemory layer_memory(const SelectiveLayer& layer, Index token, Index max_units,
                         const ImpulseOptions& options = {});

}  // namespace ssmscope::analysis
