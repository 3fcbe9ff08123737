// Finished analyses kept per checkpoint and probe text, so that going back to a checkpoint or a
// probe already analysed shows it at once. A checkpoint whose files changed (a training run
// wrote it again) gets a new key, so a stale result is never shown.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <utility>

#include "app/gui/core/analysis_result.hpp"

namespace ssmscope::gui {

class AnalysisCache {
  public:
    explicit AnalysisCache(std::size_t capacity = 8) : capacity_(capacity) {}

    // The canonical directory, the size and modification time of every file in it, and the
    // probe text. Empty when the directory cannot be read (nothing is cached then).
    static std::string key(const AnalysisRequest& request);

    std::shared_ptr<const AnalysisResult> find(const std::string& key);  // marks it recent
    void insert(const std::string& key, std::shared_ptr<const AnalysisResult> result);
    std::size_t size() const { return entries_.size(); }

  private:
    std::size_t capacity_;
    std::list<std::pair<std::string, std::shared_ptr<const AnalysisResult>>>
        entries_;  // recent first
};

}  // namespace ssmscope::gui
