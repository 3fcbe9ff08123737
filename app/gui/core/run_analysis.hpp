// Loads a checkpoint, runs it over the probe text and analyses every layer: the work behind the
// GUI's analysis, without Qt (it runs on a worker thread) and with LibTorch kept out of the
// header.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/cancel.hpp"
#include "app/gui/core/analysis_result.hpp"

namespace ssmscope::gui {

using Progress = std::function<void(const std::string& stage, double fraction)>;

// Throws InputError for a checkpoint or probe that cannot be used (the message names
// the file and what is wrong) and Cancelled once `cancel` is set.
std::shared_ptr<const AnalysisResult> run_analysis(const AnalysisRequest& request,
                                                   const Progress& progress,
                                                   const CancelFlag* cancel);

// The bundled probe text (samples/probe.txt), or a short fallback when it is not installed.
std::string default_probe_text();

}  // namespace ssmscope::gui
