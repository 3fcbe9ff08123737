// Turns the run's stability snapshots into warnings (docs/numbers.md §9): a layer whose max ā
// passes 1 − 1e-4 or whose min |A| falls below 1e-4, and the first value that is not finite.
// A layer warns when it enters such a state, not at every snapshot it stays in: a run that starts
// there (unstable companion coefficients, say) warns once per layer, and again only after it
// left and came back. The watch lives as long as the trainer; a resumed run starts it afresh.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "model/train/train_events.hpp"

namespace ssmscope::model {

class StabilityWatch {
  public:
    // Sets snapshot.non_finite->first_step and returns the warnings of this snapshot.
    std::vector<WarningEvent> check(std::int64_t step, StabilitySnapshot& snapshot);

  private:
    std::vector<bool> abar_, abs_a_;  // per layer: the flag at the previous snapshot
    std::optional<std::int64_t> first_non_finite_step_;
};

}  // namespace ssmscope::model
