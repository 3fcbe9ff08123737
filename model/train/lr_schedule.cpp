#include "model/train/lr_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ssmscope::model {

double LrSchedule::at(std::int64_t step) const {
    if (step <= warmup)
        return peak * static_cast<double>(step) /
               static_cast<double>(std::max<std::int64_t>(warmup, 1));
    if (step >= total)
        return min_lr;
    // Progress through the decay phase in (0, 1).
    const double p = static_cast<double>(step - warmup) / static_cast<double>(total - warmup);
    return min_lr + 0.5 * (peak - min_lr) * (1.0 + std::cos(std::numbers::pi * p));
}

}  // namespace ssmscope::model
