// What one analysis of a checkpoint on a probe text produces for the views: the use case's
// result (the checkpoint's summary, the probe's trace that the layer view computes frozen
// systems from, the report) with the request it answers and the overview table's rows.
// Immutable once made; the worker thread hands it to the views as shared_ptr<const>.
#pragma once

#include <cstdint>
#include <optional>
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
    // The layers to analyse; nullopt: every layer of a model up to kAllLayersUpTo parameters,
    // and default_layer_subset() of a larger one (which the user can widen).
    std::optional<std::vector<std::int64_t>> layers{};
};

// Above this many parameters the GUI analyses a subset unless asked for more: a layer of a 1 B+
// model takes a second or more here, and the user sees the model's first and last layers at once.
inline constexpr std::int64_t kAllLayersUpTo = 1'000'000'000;

// The first, middle and last layers.
std::vector<std::int64_t> default_layer_subset(std::int64_t n_layer);

struct AnalysisResult : usecase::Analysis {
    AnalysisRequest request;
    ModelSummary summary;
    std::vector<std::int64_t> layers;  // the layers asked for (every one when the request said)
    // False while layers are still arriving (the views show what is there), and for an analysis
    // cancelled part way, which keeps the layers it finished.
    bool complete = true;
};

// What the worker hands over before the analysis ends: the checkpoint's summary, read from its
// headers alone, at once...
struct OpenedCheckpoint {
    usecase::CheckpointSummary checkpoint;
    ModelSummary summary;
    std::vector<std::int64_t> layers;  // to be analysed
    bool subset = false;               // chosen by default_layer_subset
};

// ...then each layer as soon as it is analysed.
struct AnalysedLayer {
    analysis::SelectiveLayer layer;
    analysis::LayerReport report;
    double tol = 0;  // of the report's rank decisions
};

}  // namespace ssmscope::gui
