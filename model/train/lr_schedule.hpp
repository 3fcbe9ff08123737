// The learning rate of step s (1-based): linear warm-up from 0 to the peak over `warmup` steps,
// then a cosine decay from the peak to `min_lr` at step `total` (and min_lr after it), as in the
// Mamba and GPT-style training recipes.
#pragma once

#include <cstdint>

namespace ssmscope::model {

struct LrSchedule {
    double peak = 1e-3;
    double min_lr = 1e-4;
    std::int64_t warmup = 0;
    std::int64_t total = 1;

    double at(std::int64_t step) const;
};

}  // namespace ssmscope::model
