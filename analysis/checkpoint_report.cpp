#include "analysis/checkpoint_report.hpp"

#include <chrono>

#include "analysis/tolerance.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

namespace {

using Clock = std::chrono::steady_clock;

// Runs f, adds its wall time to `seconds`.
template <typename F>
auto timed(double& seconds, F f) {
    const auto t0 = Clock::now();
    auto result = f();
    seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    return result;
}

}  // namespace

ReportBuilder::ReportBuilder(const ReportOptions& o, std::size_t layers)
    : options_(o),
      cancel_scope_(o.cancel ? o.cancel : current_cancel_flag()),
      stages_(6.0 * static_cast<double>(layers) + 1.0) {
    report_.tol = o.tol.value_or(default_structural_tol());
}

void ReportBuilder::step(const SelectiveLayer& l, const char* what) {
    throw_if_cancelled();
    if (options_.progress &&
        !options_.progress(str("layer ", l.index, ": ", what), done_ / stages_))
        throw Cancelled();
    done_ += 1;
}

const LayerReport& ReportBuilder::add(const SelectiveLayer& l) {
    const ReportOptions& o = options_;
    l.validate();
    LayerReport lr;
    lr.index = l.index;
    lr.form = l.form;
    lr.unit_name = l.unit_name;
    lr.exact_zoh = l.exact_zoh;
    lr.units = l.units();
    lr.n = l.n;
    lr.tokens = l.tokens();
    ReportTimings& tm = report_.timings;
    step(l, "spectrum");
    lr.stability = timed(tm.stability, [&] { return layer_stability(l); });
    step(l, "ranks");
    lr.ranks = timed(tm.ranks, [&] {
        return layer_ranks(l, {.tol = o.tol, .cross_check_pairs = o.cross_check_pairs});
    });
    lr.reachable = timed(tm.reachable, [&] { return layer_reachable(l, o.tol); });
    step(l, "Gramians");
    lr.gramians = timed(tm.gramians, [&] { return layer_gramians(l, o.gramian_pairs, o.tol); });
    step(l, "Lyapunov exponents");
    lr.lyapunov = timed(tm.lyapunov, [&] { return layer_lyapunov(l); });
    step(l, "impulse responses");
    lr.memory = timed(tm.memory,
                      [&] { return layer_memory(l, o.memory_token, o.memory_units, o.impulse); });
    lr.impulse = impulse_response(l, o.impulse_unit, lr.memory.token, o.impulse);
    step(l, "token dynamics");
    lr.tokens_dynamics = timed(tm.token_dynamics, [&] { return layer_token_dynamics(l); });
    report_.layers.push_back(std::move(lr));
    return report_.layers.back();
}

CheckpointReport ReportBuilder::finish(const ProbeTrace& trace) {
    throw_if_cancelled();
    if (options_.progress && !options_.progress("token trajectories", done_ / stages_))
        throw Cancelled();
    CheckpointReport r = std::move(report_);
    r.tokens = trace.tokens;
    r.n_layer = trace.n_layer;
    r.forward_precision = trace.forward_precision;
    timed(r.timings.token_dynamics, [&] {
        r.trajectories = token_trajectories(trace.hidden_norms);
        r.sensitivity = sensitivity(trace);
        return 0;
    });
    if (options_.progress)
        options_.progress("done", 1.0);
    return r;
}

CheckpointReport analyze_checkpoint(const ProbeTrace& trace, const ReportOptions& o) {
    ReportBuilder builder(o, trace.layers.size());
    for (const SelectiveLayer& l : trace.layers)
        builder.add(l);
    return builder.finish(trace);
}

}  // namespace ssmscope::analysis
