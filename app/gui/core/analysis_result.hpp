// What one analysis of a checkpoint on a probe text produces for the views: the use case's
// result (the checkpoint's summary, the probe's trace that the layer view computes frozen
// systems from, the report) with the request it answers and the overview table's rows.
// Immutable once made; the worker thread hands it to the views as shared_ptr<const>.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "app/usecase/analyse.hpp"

namespace ssmscope::gui {

struct ModelSummary {
    std::int64_t n_layer = 0;
    std::vector<std::pair<std::string, std::string>> rows;  // label, value: the summary table
    std::vector<std::string> warnings;
};

// The overview's table of a checkpoint.
ModelSummary model_summary(const usecase::CheckpointSummary& s);

struct AnalysisRequest {
    std::string checkpoint;    // a folder or a checkpoint file
    std::string probe_text;    // the text the analysis runs on
    std::string probe_source;  // where it came from, for the report
    std::string tokenizer{};   // a tokenizer.json instead of the checkpoint's own; empty: none
};

struct AnalysisResult : usecase::Analysis {
    AnalysisRequest request;
    ModelSummary summary;
};

}  // namespace ssmscope::gui
