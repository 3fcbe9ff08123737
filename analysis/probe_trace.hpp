// What a forward pass over a probe text records for the analysis of a checkpoint: the selective
// parameters of the requested layers and the norm of every token's residual stream at every
// depth, also of its difference under a rounding of the input embeddings (the end-to-end
// sensitivity). Only norms are kept because the token trajectories and the sensitivity need no
// more, and the streams themselves (depth x tokens x d_model) would be the largest thing held:
// 8.7 GB for a 64-layer, 4096-wide model on a 4096-token probe, against 2 MB of norms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/selective_layer.hpp"

namespace ssmscope::analysis {

struct PerturbedRun {
    std::string name;          // "bf16", "f16": the rounding applied to each input embedding
    double unit_roundoff = 0;  // its relative precision, 2^-8 or 2^-11
    // L x (n_layer + 1): ||h'_l[t] - h_l[t]||, the perturbed run's residual stream against the
    // unperturbed one at the depths of ProbeTrace::hidden_norms.
    Matrix diff_norms;
};

struct ProbeTrace {
    std::vector<std::int64_t> tokens;
    std::int64_t n_layer = 0;
    // The precision of the forward pass that computed what follows ("float32", "float64"); the
    // analysis is in double either way.
    std::string forward_precision = "float64";
    std::vector<SelectiveLayer> layers;  // the requested layers, ascending
    // L x (n_layer + 1): ||h_l[t]||, the residual stream of token t entering layer l
    // (l = 0..n_layer-1) and leaving the last one (l = n_layer).
    Matrix hidden_norms;
    std::vector<PerturbedRun> perturbed;
};

}  // namespace ssmscope::analysis
