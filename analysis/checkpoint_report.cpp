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

CheckpointReport analyze_checkpoint(const ProbeTrace& trace, const ReportOptions& o) {
    const CancelScope cancel_scope(o.cancel ? o.cancel : current_cancel_flag());
    CheckpointReport r;
    r.tokens = trace.tokens;
    r.n_layer = trace.n_layer;
    r.forward_precision = trace.forward_precision;
    r.tol = o.tol.value_or(default_structural_tol());
    const double stages = 5.0 * static_cast<double>(trace.layers.size()) + 1.0;
    double done = 0;
    const auto step = [&](const SelectiveLayer& l, const char* what) {
        throw_if_cancelled();
        if (o.progress && !o.progress(str("layer ", l.index, ": ", what), done / stages))
            throw Cancelled();
        done += 1;
    };
    ReportTimings& tm = r.timings;
    for (const SelectiveLayer& l : trace.layers) {
        l.validate();
        LayerReport lr;
        lr.index = l.index;
        lr.form = l.form;
        lr.unit_name = l.unit_name;
        lr.exact_zoh = l.exact_zoh;
        lr.units = l.units();
        lr.n = l.n;
        lr.tokens = l.tokens();
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
        step(l, "token dynamics");
        lr.tokens_dynamics = timed(tm.token_dynamics, [&] { return layer_token_dynamics(l); });
        r.layers.push_back(std::move(lr));
    }
    throw_if_cancelled();
    if (o.progress && !o.progress("token trajectories", done / stages))
        throw Cancelled();
    timed(tm.token_dynamics, [&] {
        r.trajectories = token_trajectories(trace.hidden_norms);
        r.sensitivity = sensitivity(trace);
        return 0;
    });
    if (o.progress)
        o.progress("done", 1.0);
    return r;
}

}  // namespace ssmscope::analysis
