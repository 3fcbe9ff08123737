// The GUI's analysis: usecase::analyse of a checkpoint on the probe text, without Qt (it runs on
// a worker thread), with the overview's table added.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "app/gui/core/analysis_result.hpp"
#include "base/cancel.hpp"

namespace ssmscope::gui {

using Progress = usecase::Progress;

// Throws InputError for a checkpoint or probe that cannot be used (the message names
// the file and what is wrong) and Cancelled once `cancel` is set.
// `opened` comes first, from the checkpoint's headers alone (in well under a second whatever its
// size); then `layer` once per analysed layer, as each is done.
struct Stream {
    std::function<void(std::shared_ptr<const OpenedCheckpoint>)> opened;
    std::function<void(std::shared_ptr<const AnalysedLayer>)> layer;
};

std::shared_ptr<const AnalysisResult> run_analysis(const AnalysisRequest& request,
                                                   const Progress& progress,
                                                   const CancelFlag* cancel,
                                                   const Stream& stream = {});

// The bundled probe text (samples/probe.txt), or a short fallback when it is not installed.
std::string default_probe_text();

}  // namespace ssmscope::gui
