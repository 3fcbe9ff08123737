// Saving the analysis report (JSON as `ssmscope-cli analyze --json` writes it, or the per-layer
// CSV) atomically: a failed write (full disk, no permission) leaves any earlier file untouched
// and throws InputError naming the file.
#pragma once

#include <string>

#include "app/gui/core/analysis_result.hpp"

namespace ssmscope::gui {

std::string report_json(const AnalysisResult& result);
std::string report_csv(const AnalysisResult& result);

// By the file's suffix: ".csv" writes the CSV, anything else the JSON.
void export_report(const AnalysisResult& result, const std::string& path);

}  // namespace ssmscope::gui
