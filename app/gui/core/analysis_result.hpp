// What one analysis of a checkpoint on a probe text produces: the model's summary, the probe's
// trace (the selective parameters the layer view computes frozen systems from) and the report.
// Immutable once made; the worker thread hands it to the views as shared_ptr<const>.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "analysis/checkpoint_report.hpp"
#include "analysis/probe_trace.hpp"

namespace ssmscope::gui {

struct ModelSummary {
    std::string architecture;  // "mamba", "sc-mamba", ...
    std::int64_t n_layer = 0, d_model = 0, d_state = 0, parameters = 0;
    std::string dtype;
    std::vector<std::pair<std::string, std::string>> rows;  // label, value: the summary table
    std::vector<std::string> warnings;
};

struct AnalysisRequest {
    std::string checkpoint;    // directory
    std::string probe_text;    // the text the analysis runs on
    std::string probe_source;  // where it came from, for the report
};

struct AnalysisResult {
    AnalysisRequest request;
    ModelSummary summary;
    analysis::ProbeTrace trace;
    analysis::CheckpointReport report;
    double seconds = 0;  // load + probe + analysis
};

}  // namespace ssmscope::gui
