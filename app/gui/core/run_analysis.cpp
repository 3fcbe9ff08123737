#include "app/gui/core/run_analysis.hpp"

#include <chrono>
#include <fstream>
#include <sstream>

#include <torch/torch.h>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/checkpoint/checkpoint.hpp"
#include "model/config/sizes.hpp"
#include "model/nn/language_model.hpp"
#include "model/probe/probe.hpp"
#include "model/tokenizer/load_tokenizer.hpp"
#include "model/tokenizer/tokenizer.hpp"

namespace ssmscope::gui {

namespace {

ModelSummary summarise(const model::LoadedModel& loaded, const model::Tokenizer& tokenizer) {
    const model::ModelConfig& c = loaded.config;
    ModelSummary s;
    s.architecture = model::arch_name(c.arch);
    s.n_layer = c.n_layer;
    s.d_model = c.d_model;
    s.d_state = c.d_state;
    s.parameters = loaded.model->parameter_count();
    s.dtype = loaded.stored_dtype;
    s.warnings = loaded.warnings;
    auto row = [&](std::string label, auto value) { s.rows.emplace_back(label, str(value)); };
    row("architecture", s.architecture);
    row("layout", model::layout_name(c.layout));
    row("dtype", s.dtype);
    row("parameters", s.parameters);
    row("layers", c.n_layer);
    row("d_model", c.d_model);
    row("d_inner", c.d_inner());
    row("d_state (N)", c.d_state);
    row("d_conv", c.d_conv);
    if (c.mamba2_family()) {
        row("heads", c.nheads());
        row("head_dim", c.headdim);
        row("n_groups", c.ngroups);
    } else {
        row("dt_rank", c.dt_rank);
    }
    row("vocabulary", c.vocab_size);
    row("tied embeddings", c.tie_embeddings ? "yes" : "no");
    row("sharded", loaded.sharded ? "yes" : "no");
    // What generation keeps per sequence, at 4 bytes a value (float32).
    row("state bytes per layer", model::state_values_per_layer(c) * 4);
    row("tokenizer", tokenizer.description());
    return s;
}

}  // namespace

std::shared_ptr<const AnalysisResult> run_analysis(const AnalysisRequest& request,
                                                   const Progress& progress,
                                                   const CancelFlag* cancel) {
    const auto t0 = std::chrono::steady_clock::now();
    const CancelScope scope(cancel);
    // Three phases share the progress bar: loading (5 %), the probe's forward passes (15 %), the
    // per-layer analysis (80 %).
    const auto report = [&](double lo, double hi) {
        return [&, lo, hi](const std::string& stage, double f) {
            throw_if_cancelled();
            if (progress)
                progress(stage, lo + (hi - lo) * f);
            return true;
        };
    };
    report(0, 0.05)("loading " + request.checkpoint, 0);
    auto result = std::make_shared<AnalysisResult>();
    result->request = request;
    model::LoadedModel loaded = model::load_checkpoint(request.checkpoint);
    const auto tokenizer = model::load_tokenizer(request.checkpoint);
    result->summary = summarise(loaded, *tokenizer);
    const std::vector<std::int64_t> tokens = tokenizer->encode(request.probe_text);
    if (tokens.empty())
        throw InputError("the probe text is empty: type or paste some text to analyse");
    result->trace =
        model::probe(*loaded.model, tokens,
                     {.layers = {}, .perturbations = true, .progress = report(0.05, 0.2)});
    analysis::ReportOptions options;
    options.progress = report(0.2, 1.0);
    options.cancel = cancel;
    result->report = analysis::analyze_checkpoint(result->trace, options);
    result->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

std::string default_probe_text() {
    std::ifstream in(SSMSCOPE_DEFAULT_PROBE);
    if (in) {
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }
    return "The state of a selective state-space model is a summary of everything it has read.";
}

}  // namespace ssmscope::gui
