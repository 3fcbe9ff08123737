// Analysing a checkpoint on a probe text, and verifying conditions on it: open, run the probe's
// forward passes recording each layer's selective parameters, and the control analysis of each
// layer as soon as the forward pass has passed it. One progress bar (loading 5 %, then layer by
// layer), cancellable from another thread. Torch-free header: the GUI's worker thread calls it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analysis/checkpoint_report.hpp"
#include "analysis/probe_trace.hpp"
#include "analysis/verify.hpp"
#include "app/usecase/checkpoint_summary.hpp"
#include "base/cancel.hpp"

namespace ssmscope::usecase {

struct ProbeText {
    std::string text;
    std::string source;  // "--text", a file's path, ...: named in the report and in messages
};

struct AnalyseRequest {
    std::string checkpoint;  // directory
    bool allow_nonfinite = false;
    std::string tokenizer;  // a tokenizer.json instead of the checkpoint's; empty: none
    ProbeText probe;
    // The probe as token ids (--tokens), instead of probe.text; probe.source still names it.
    std::optional<std::vector<std::int64_t>> probe_ids;
    std::vector<std::int64_t> layers;  // ascending; empty: every layer
    // The probe's forward pass: "auto", "float32" or "float64" (model::ProbePrecision).
    std::string probe_precision = "auto";
    std::optional<double> tol;  // relative tolerance of every rank decision
    analysis::Index cross_check_pairs = analysis::ReportOptions{}.cross_check_pairs;
    analysis::Index gramian_pairs = analysis::ReportOptions{}.gramian_pairs;
    // Impulse responses: the token the units are frozen at (< 0: the last), the unit whose
    // kernel the report carries, the horizon's tolerance.
    analysis::Index impulse_token = -1, impulse_unit = 0;
    double memory_tol = analysis::ImpulseOptions{}.tol;
    // Analysis::trace keeps every analysed layer's record (the GUI's layer view computes frozen
    // systems from it); without, each is dropped once analysed and the report is all there is,
    // so that memory holds one layer's record whatever the model's depth.
    bool keep_layers = true;
};

// The report's header: what was analysed, on what.
struct Analysed {
    CheckpointSummary checkpoint;
    std::string probe_source;
    std::size_t probe_tokens = 0;
};

struct Analysis : Analysed {
    analysis::ProbeTrace trace;
    analysis::CheckpointReport report;
    double seconds = 0;  // load + probe + analysis
};

struct Verification : Analysed {
    analysis::VerifyResult result;
};

using Progress = std::function<void(const std::string& stage, double fraction)>;
// Called once per warning of opening the checkpoint, before the work starts.
using Warn = std::function<void(const std::string& warning)>;

// One layer's results as soon as they exist, before the probe runs the next layer.
struct LayerDone {
    const analysis::SelectiveLayer& layer;  // the probe's record of it
    const analysis::LayerReport& report;
    double tol = 0;  // of the report's rank decisions
};
using OnLayer = std::function<void(const LayerDone&)>;

// Throws InputError for a checkpoint, probe or layer list that cannot be used (the message names
// the file and what is wrong) and Cancelled once `cancel` is set. Each layer is analysed as the
// probe passes it, and handed to `on_layer`; the model-wide parts come at the end.
Analysis analyse(const AnalyseRequest& request, const Progress& progress = {},
                 const CancelFlag* cancel = nullptr, const Warn& warn = {},
                 const OnLayer& on_layer = {});

// The same probe (without the rounding perturbations, which only the report shows), then
// analysis::verify of `required` at `request.tol`.
Verification verify(const AnalyseRequest& request, const std::vector<analysis::Condition>& required,
                    const Progress& progress = {}, const Warn& warn = {});

}  // namespace ssmscope::usecase
