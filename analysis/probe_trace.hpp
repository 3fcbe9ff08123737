// What a forward pass over a probe text records for the analysis of a checkpoint: the selective
// parameters of the requested layers and the residual stream of every token at every depth, also
// for copies of the input embeddings perturbed by a rounding (the end-to-end sensitivity).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/selective_layer.hpp"

namespace ssmscope::analysis {

struct PerturbedRun {
    std::string name;            // "bf16", "f16": the rounding applied to each input embedding
    double unit_roundoff = 0;    // its relative precision, 2^-8 or 2^-11
    std::vector<Matrix> hidden;  // as ProbeTrace::hidden
};

struct ProbeTrace {
    std::vector<std::int64_t> tokens;
    std::int64_t n_layer = 0;
    std::vector<SelectiveLayer> layers;  // the requested layers, ascending
    // The residual stream entering layer l (l = 0..n_layer-1) and leaving the last one
    // (l = n_layer): n_layer + 1 matrices of L x d_model.
    std::vector<Matrix> hidden;
    std::vector<PerturbedRun> perturbed;
};

}  // namespace ssmscope::analysis
