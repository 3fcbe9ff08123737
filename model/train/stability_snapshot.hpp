// The stability snapshot a training run reports while it runs (docs/numbers.md §9: where and why
// NaN appears): per layer the spectral abscissa of A, the largest Lyapunov exponent of the state
// recurrence and the fraction of controllable frozen systems on a short probe of validation text,
// computed by analysis/ on the model's own weights, one block at a time in the probe's precision
// (no copy of the whole model: a CPU model lends its tensors, a GPU model's are copied to the
// CPU in their own type).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "model/config/model_config.hpp"
#include "model/train/train_events.hpp"

namespace ssmscope::model {

class LanguageModel;

class StabilityProbe {
  public:
    // `tokens`: the probe (a few dozen tokens are enough for the snapshot).
    StabilityProbe(const ModelConfig& config, std::vector<std::int64_t> tokens);
    ~StabilityProbe();

    // Analyses `model` (any dtype or device) on the probe; its parameters keep their values and
    // identity (the probe converts a block and gives its tensors back).
    StabilitySnapshot take(LanguageModel& model);

  private:
    std::shared_ptr<LanguageModel> scratch_;
    std::vector<std::int64_t> tokens_;
};

}  // namespace ssmscope::model
