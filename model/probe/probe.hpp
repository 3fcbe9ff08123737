// Runs a checkpoint over a probe text and hands analysis/ plain double matrices: per requested
// layer the state matrices and the selective parameters Δ_t, b_t, c_t of every unit and token,
// the token-dynamics projections S_B, S_C, and the norm of every token's residual stream at every
// depth, also of its difference when the input embeddings are rounded to bf16 and to f16 (the
// end-to-end sensitivity).
//
// The forward runs in double (or in float32, ProbePrecision), one layer at a time: the residual
// stream (the three runs as one batch) is carried from layer to layer, and each block is converted
// to double just before it runs and back just after (exact: every float32, float16 and bfloat16
// value is a double). The embedding table and the head are never converted, and no layer's record
// outlives its layer's extraction, so the probe holds one layer's weights in double beside the
// model.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analysis/probe_trace.hpp"
#include "model/config/model_config.hpp"

namespace ssmscope::model {

class LanguageModel;

// Probes longer than this are refused unless config.json declares max_position_embeddings: the
// frozen-time analysis grows with every token.
inline constexpr std::int64_t kDefaultMaxProbeTokens = 4096;
std::int64_t max_probe_tokens(const ModelConfig& config);

// The precision of the probe's forward pass; the analysis of what it records is in double either
// way. Auto runs Mamba and Mamba-2 (diagonal and scalar A) in float32, at the model's own speed,
// and the companion forms (SC, SO, ST) in double: tests/model/test_probe_precision.cpp shows that
// for the former every rank, stability verdict, criterion sign and token behaviour agrees with the
// double forward, and that for the latter a rank decision near its tolerance does not
// (docs/numbers.md §1(a) gives the figures).
enum class ProbePrecision { Auto, Double, Float32 };

// A layer the probe has passed; `done` counts the requested layers so far (this one included) of
// `total`.
using OnProbedLayer =
    std::function<void(const analysis::SelectiveLayer& layer, std::size_t done, std::size_t total)>;

struct ProbeOptions {
    std::vector<std::int64_t> layers;  // ascending; empty: every layer
    bool perturbations = true;         // the bf16 / f16 rounding runs
    ProbePrecision precision = ProbePrecision::Auto;
    // Called before each layer of the forward pass; returning false stops with Cancelled.
    std::function<bool(const std::string& stage, double fraction)> progress;
    // Called with each requested layer as soon as the probe has passed it, before the next layer
    // runs (the analysis of a layer can then start while the rest of the model waits in the
    // file, and show before the last layer is reached).
    OnProbedLayer on_layer;
    // Whether ProbeTrace::layers keeps every requested layer. A caller that has what it needs
    // from on_layer drops each after it: memory then holds one layer's record, not the model's.
    bool keep_layers = true;
};

// Throws InputError for an empty probe, one longer than max_probe_tokens, a token
// outside the vocabulary or a layer index outside [0, n_layer).
analysis::ProbeTrace probe(LanguageModel& model, const std::vector<std::int64_t>& tokens,
                           const ProbeOptions& options = {});

}  // namespace ssmscope::model
