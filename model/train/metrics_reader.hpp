// Reading OUT/metrics.jsonl back (metrics_log.hpp writes it): what a front end that follows a run
// from outside the process needs, as the GUI does with a multi-process run's rank 0.
#pragma once

#include <optional>
#include <string_view>
#include <variant>

#include "model/train/train_events.hpp"

namespace ssmscope::model {

struct CheckpointLine {
    std::int64_t step = 0;
    std::string dir;
};

using MetricsLine = std::variant<StepEvent, EvalEvent, CheckpointLine, WarningEvent>;

// nullopt for a line that is not a complete step, eval, checkpoint or warning record (a "start",
// "gradients" or "finish" line, or one cut short by a kill); total_steps is not in the log and
// stays 0.
std::optional<MetricsLine> parse_metrics_line(std::string_view line);

}  // namespace ssmscope::model
