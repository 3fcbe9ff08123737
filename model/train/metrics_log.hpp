// OUT/metrics.jsonl: one JSON object per line, appended and flushed as the run goes, so a GUI or
// `tail -f` can follow it. Lines carry an "event" ("start", "step", "eval", "checkpoint",
// "warning", "gradients", "finish") and the step; readers skip events and keys they do not know. A
// resumed run first drops the lines of steps after its checkpoint (and a line cut short by a kill),
// so the log reads as one uninterrupted run.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json_fwd.hpp>

#include "model/train/train_events.hpp"

namespace ssmscope::model {

class MetricsLog {
  public:
    // `resume_step` < 0: a new log; otherwise keep the lines up to that step.
    MetricsLog(std::filesystem::path file, std::int64_t resume_step);
    ~MetricsLog();
    MetricsLog(const MetricsLog&) = delete;
    MetricsLog& operator=(const MetricsLog&) = delete;

    void write(const nlohmann::json& line);

  private:
    std::filesystem::path file_;
    std::FILE* f_ = nullptr;
};

nlohmann::json to_json(const StepEvent& e);
nlohmann::json to_json(const EvalEvent& e);
nlohmann::json to_json(const StabilitySnapshot& s);
nlohmann::json to_json(const WarningEvent& w);
nlohmann::json to_json(const GradientReport& g);

}  // namespace ssmscope::model
