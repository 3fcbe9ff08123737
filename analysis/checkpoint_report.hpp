// The report of a checkpoint on a probe text (docs/numbers.md §1): for every analysed layer its
// spectrum and stability, frozen-time ranks, reachable subspace, Gramians and Hankel singular
// values, Lyapunov exponents and token-dynamics criterion; for the model, every token's norm
// across depth and the end-to-end sensitivity to input rounding. Plain structs: the CLI writes
// them as JSON or text, the GUI plots them.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/layer_gramians.hpp"
#include "analysis/layer_lyapunov.hpp"
#include "analysis/layer_memory.hpp"
#include "analysis/layer_ranks.hpp"
#include "analysis/layer_reachable.hpp"
#include "analysis/layer_stability.hpp"
#include "analysis/probe_trace.hpp"
#include "analysis/sensitivity.hpp"
#include "analysis/token_dynamics.hpp"
#include "base/cancel.hpp"

namespace ssmscope::analysis {

struct ReportOptions {
    std::optional<double> tol;  // relative tolerance of every rank decision
    // Per layer: frozen systems whose rank is also decided by the staircase, the Krylov SVD and
    // PBH (about 0.2 ms each at N = 16, mostly PBH's SVD per eigenvalue; see RankOptions), and
    // frozen systems whose Gramians and HSV are computed (closed forms for diagonal A, about
    // 40 us each by SLICOT for a dense one).
    Index cross_check_pairs = RankOptions{}.cross_check_pairs;
    Index gramian_pairs = 1024;
    // Impulse responses (§6(e)): every layer's memory horizons at memory_token (< 0: the last
    // probe token) on up to memory_units units, and the kernel of impulse_unit there.
    Index memory_token = -1;
    Index memory_units = 256;
    Index impulse_unit = 0;
    ImpulseOptions impulse;
    // Called before each stage of each layer with a description and the fraction done; returning
    // false stops the analysis with Cancelled.
    std::function<bool(const std::string& stage, double fraction)> progress;
    // Polled inside the stages as well (cancel.hpp): set from another thread, it stops the
    // analysis with Cancelled within a fraction of a stage.
    const CancelFlag* cancel = nullptr;
};

struct LayerReport {
    int index = 0;
    StateForm form = StateForm::Diagonal;
    std::string unit_name;
    bool exact_zoh = false;
    Index units = 0, n = 0, tokens = 0;
    LayerStability stability;
    LayerRanks ranks;
    LayerReachable reachable;
    LayerGramians gramians;
    LayerLyapunov lyapunov;
    LayerMemory memory;
    ImpulseResponse impulse;
    LayerTokenDynamics tokens_dynamics;
};

// Seconds spent in each stage, for bench/analyze and the GUI's status line.
struct ReportTimings {
    double stability = 0, ranks = 0, reachable = 0, gramians = 0, lyapunov = 0, memory = 0,
           token_dynamics = 0;
};

struct CheckpointReport {
    std::vector<std::int64_t> tokens;
    std::int64_t n_layer = 0;
    std::string forward_precision;  // of the probe's forward pass (ProbeTrace)
    std::vector<LayerReport> layers;
    TokenTrajectories trajectories;
    std::vector<Sensitivity> sensitivity;
    double tol = 0;  // the relative tolerance of the structural rank decisions
    ReportTimings timings;
};

// The report of every layer of the trace, then the model-wide parts.
CheckpointReport analyze_checkpoint(const ProbeTrace& trace, const ReportOptions& options = {});

// The same one layer at a time, for a probe that hands each layer over as it passes it (the GUI
// shows a layer's results while the next is computed, and a large model's trace need not be
// complete before the analysis starts). add() of every trace layer in order, then finish(), is
// analyze_checkpoint(trace).
class ReportBuilder {
  public:
    // `layers`: how many add() calls will come, for the progress fraction.
    ReportBuilder(const ReportOptions& options, std::size_t layers);
    // Validates and analyses one layer; throws Cancelled as analyze_checkpoint does.
    const LayerReport& add(const SelectiveLayer& layer);
    // The model-wide parts (token trajectories, sensitivity) from the finished trace; the
    // layers added so far become the report's.
    CheckpointReport finish(const ProbeTrace& trace);
    double tol() const { return report_.tol; }  // of the rank decisions

  private:
    void step(const SelectiveLayer& l, const char* what);

    ReportOptions options_;
    CancelScope cancel_scope_;
    CheckpointReport report_;
    double stages_ = 1, done_ = 0;
};

}  // namespace ssmscope::analysis
