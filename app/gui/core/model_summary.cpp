#include <algorithm>

#include "app/gui/core/analysis_result.hpp"
#include "base/str.hpp"

namespace ssmscope::gui {

ModelSummary model_summary(const usecase::CheckpointSummary& c) {
    ModelSummary s;
    s.n_layer = c.n_layer;
    s.warnings = c.warnings;
    auto row = [&](std::string label, auto value) { s.rows.emplace_back(label, str(value)); };
    row("format", c.format_detail);
    row("architecture", c.architecture);
    row("layout", c.layout);
    row("dtype", c.dtype);
    row("parameters", c.parameters);
    row("layers", c.n_layer);
    row("d_model", c.d_model);
    row("d_inner", c.d_inner);
    row("d_state (N)", c.d_state);
    row("d_conv", c.d_conv);
    if (c.mamba2_family) {
        row("heads", c.heads);
        row("head_dim", c.head_dim);
        row("n_groups", c.n_groups);
    } else {
        row("dt_rank", c.dt_rank);
    }
    row("vocabulary", c.vocab_size);
    row("tied embeddings", c.tied_embeddings ? "yes" : "no");
    row("sharded", c.sharded ? "yes" : "no");
    row("state bytes per layer", c.state_bytes_per_layer);
    row("tokenizer", c.tokenizer);
    return s;
}

std::vector<std::int64_t> default_layer_subset(std::int64_t n_layer) {
    std::vector<std::int64_t> l = {0, n_layer / 2, n_layer - 1};
    l.erase(std::unique(l.begin(), l.end()), l.end());
    return l;
}

}  // namespace ssmscope::gui
