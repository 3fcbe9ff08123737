#include "app/usecase/analyse.hpp"

#include <chrono>
#include <optional>

#include "app/usecase/open_checkpoint.hpp"
#include "base/error.hpp"
#include "base/str.hpp"
#include "model/probe/probe.hpp"

namespace ssmscope::usecase {

namespace {

using ModelProgress = std::function<bool(const std::string&, double)>;

// The part [lo, hi] of the one progress bar; polls the cancel flag of this thread's scope.
ModelProgress phase(const Progress& progress, double lo, double hi) {
    return [&progress, lo, hi](const std::string& stage, double f) {
        throw_if_cancelled();
        if (progress)
            progress(stage, lo + (hi - lo) * f);
        return true;
    };
}

struct Probed {
    Analysed header;
    analysis::ProbeTrace trace;
};

Probed open_and_probe(const AnalyseRequest& r, bool perturbations, const ModelProgress& progress,
                      const Warn& warn, const model::OnProbedLayer& on_layer) {
    progress("loading " + r.checkpoint, 0);
    const OpenedCheckpoint ckpt = open_checkpoint(
        r.checkpoint,
        {.allow_nonfinite = r.allow_nonfinite, .tokenizer = r.tokenizer, .as_stored = true});
    if (warn)
        for (const std::string& w : ckpt.warnings)
            warn(w);
    std::vector<std::int64_t> tokens;
    if (r.probe_ids) {
        tokens = *r.probe_ids;
        check_token_ids(tokens, ckpt);
    } else {
        if (r.probe.text.empty())
            throw InputError(str("the probe text (", r.probe.source, ") is empty"));
        tokens = ckpt.tokenizer->encode(r.probe.text);
        if (tokens.empty())
            throw InputError(str("the probe text (", r.probe.source, ") has no tokens"));
    }
    Probed p;
    p.header.checkpoint = summarise(ckpt);
    p.header.probe_source = r.probe.source;
    p.header.probe_tokens = tokens.size();
    p.trace =
        model::probe(*ckpt.loaded.model, tokens,
                     {.layers = r.layers,
                      .perturbations = perturbations,
                      .precision = r.probe_precision == "float32"   ? model::ProbePrecision::Float32
                                   : r.probe_precision == "float64" ? model::ProbePrecision::Double
                                                                    : model::ProbePrecision::Auto,
                      .progress = progress,
                      .on_layer = on_layer,
                      .keep_layers = r.keep_layers});
    return p;
}

}  // namespace

Analysis analyse(const AnalyseRequest& request, const Progress& progress, const CancelFlag* cancel,
                 const Warn& warn, const OnLayer& on_layer) {
    const auto t0 = std::chrono::steady_clock::now();
    const CancelScope scope(cancel);
    // Loading is the first 5 %; then the probe's position in the model, with the stage of the
    // layer being analysed; the model-wide parts the last 2 %.
    const ModelProgress layers = phase(progress, 0.05, 0.98);
    double at = 0;  // the probe's fraction of the model
    const auto probe_progress = [&](const std::string& stage, double f) {
        at = f;
        return layers(stage, f);
    };
    analysis::ReportOptions options;
    options.tol = request.tol;
    options.cross_check_pairs = request.cross_check_pairs;
    options.gramian_pairs = request.gramian_pairs;
    options.memory_token = request.impulse_token;
    options.impulse_unit = request.impulse_unit;
    options.impulse.tol = request.memory_tol;
    options.cancel = cancel;
    const ModelProgress tail = phase(progress, 0.98, 1.0);
    bool finishing = false;  // the model-wide parts, once the probe is through
    options.progress = [&](const std::string& stage, double f) {
        return finishing ? tail(stage, f) : layers(stage, at);
    };
    std::optional<analysis::ReportBuilder> builder;
    Probed p =
        open_and_probe(request, true, probe_progress, warn,
                       [&](const analysis::SelectiveLayer& l, std::size_t done, std::size_t total) {
                           if (!builder)
                               builder.emplace(options, total);
                           const analysis::LayerReport& lr = builder->add(l);
                           if (on_layer)
                               on_layer({l, lr, builder->tol()});
                       });
    Analysis a;
    static_cast<Analysed&>(a) = std::move(p.header);
    a.trace = std::move(p.trace);
    if (!builder)
        builder.emplace(options, 0);
    finishing = true;
    a.report = builder->finish(a.trace);
    a.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return a;
}

Verification verify(const AnalyseRequest& request, const std::vector<analysis::Condition>& required,
                    const Progress& progress, const Warn& warn) {
    Probed p = open_and_probe(request, false, phase(progress, 0, 1), warn, {});
    Verification v;
    static_cast<Analysed&>(v) = std::move(p.header);
    v.result = analysis::verify(p.trace, required, request.tol);
    return v;
}

}  // namespace ssmscope::usecase
