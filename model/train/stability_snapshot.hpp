// The stability snapshot a training run reports while it runs (docs/numbers.md §9: where and why
// NaN appears): per layer the spectral abscissa of A, the largest Lyapunov exponent of the state
// recurrence and the fraction of controllable frozen systems on a short probe of validation text,
// computed by analysis/ in double on a copy of the weights.
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

    // Copies the parameters of `model` (any dtype or device) into a double CPU copy and
    // analyses it; `model` itself is not touched.
    StabilitySnapshot take(LanguageModel& model);

  private:
    std::shared_ptr<LanguageModel> scratch_;
    std::vector<std::int64_t> tokens_;
};

}  // namespace ssmscope::model
