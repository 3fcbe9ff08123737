// What a training run reports and how a front end steers it. The trainer calls the listener on
// its own thread; the GUI forwards the events to the GUI thread through queued signals, the CLI
// prints them. TrainControl may be set from any thread (or a signal handler).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ssmscope::model {

// The stability watch's thresholds (docs/numbers.md §9): past them a layer's state forgets almost
// nothing from one token to the next (ā → 1), the regime where long sums leave the float range.
inline constexpr double kAbarWarning = 1 - 1e-4;  // max ā above this warns
inline constexpr double kAbsAWarning = 1e-4;      // min |A| below this warns

// Per layer, from the weights and a short probe of validation text (analysis/). NaN where the
// layer's values are not finite (then StabilitySnapshot::non_finite says where).
struct LayerStabilitySnapshot {
    double spectral_abscissa = 0;  // max over units of max Re λ(A)
    double largest_lyapunov = 0;   // largest state Lyapunov exponent over the units, per token
    double ctrb_fraction = 0;      // fraction of the frozen (A, b_t) systems with full rank
    // min over units of min |λ(A)|: |a| of the smallest diagonal entry for Mamba and Mamba-2.
    double min_abs_a = 0;
    // max over units and probe tokens of ρ(exp(Δ_t A)) = exp(Δ_t max Re λ(A)): max exp(Δ·a) over
    // the diagonal entries for Mamba and Mamba-2.
    double max_abar = 0;
    double delta_min = 0, delta_max = 0;  // Δ_t over units and probe tokens
    // max over units and probe tokens of the 2-norm of one unit's state h_t (a channel's N
    // states, a head's P x N), from the state recurrence in float32 as the model runs.
    double max_state_norm = 0;

    bool abar_near_one() const { return max_abar > kAbarWarning; }
    bool a_near_zero() const { return min_abs_a < kAbsAWarning; }
};
// The first value of a snapshot that is not finite, in the order the forward meets them: the
// embeddings, then layer by layer its parameters, Δ, its state and the residual stream leaving
// it, then the final norm and the head.
struct NonFiniteSite {
    std::int64_t layer = -1;  // -1 for a parameter outside the blocks (embeddings, norm, head)
    std::string quantity;     // "parameters", "delta", "state" or "residual"
    std::string parameter;    // the tensor's name, for "parameters"
    std::int64_t token = -1;  // the probe position, for "delta", "state" and "residual"
    // The first step of the run at which a snapshot found a non-finite value (set by the trainer;
    // later snapshots keep it, naming their own first site).
    std::int64_t first_step = 0;
};
struct StabilitySnapshot {
    std::vector<LayerStabilitySnapshot> layers;
    std::optional<NonFiniteSite> non_finite;
    double seconds = 0;  // time it took
};

// Something the user should look at before it becomes a NaN or a silent no-op.
struct WarningEvent {
    std::int64_t step = 0;
    std::string kind;         // "abar_near_one", "a_near_zero", "non_finite", "lora_off_path"
    std::int64_t layer = -1;  // the layer it concerns; -1 when none
    std::string message;      // one line for the user
};

// Which trainable tensors received a gradient with a non-zero entry in the run's first step, and
// the LoRA adapters that lie outside the autograd path (both factors' gradients undefined or all
// zero: a kernel that reads the base weight bypasses the adapter).
struct GradientReport {
    std::int64_t step = 1;
    std::vector<std::string> nonzero;            // tensor names, in the optimizer's order
    std::vector<std::string> zero;               // trainable, but undefined or all-zero gradients
    std::vector<std::string> adapters_off_path;  // adapter (module) names
};

struct StepEvent {
    std::int64_t step = 0;  // optimizer steps done (1-based)
    std::int64_t total_steps = 0;
    double loss = 0;        // mean training cross-entropy of the step, nats per token
    double perplexity = 0;  // exp(loss)
    double lr = 0;
    double grad_norm = 0;  // before clipping
    double tokens_per_second = 0;
    std::int64_t tokens = 0;  // training tokens consumed so far
    double elapsed_s = 0;     // training time so far, over resumptions
    std::optional<StabilitySnapshot> stability;
};

struct EvalEvent {
    std::int64_t step = 0;
    double loss = 0;  // validation nats per token
    double perplexity = 0;
    std::int64_t tokens = 0;  // validation tokens scored
};

// Why run() returned.
enum class TrainOutcome {
    Finished,   // all steps done, final checkpoint written
    Stopped,    // stop requested (SIGINT, the GUI's Stop): checkpoint written, resumable
    NonFinite,  // the loss or the gradient became NaN/Inf: the last good checkpoint is kept
};

struct TrainListener {
    virtual ~TrainListener() = default;
    virtual void on_start(const std::string& /*description*/) {}
    virtual void on_step(const StepEvent&) {}
    virtual void on_eval(const EvalEvent&) {}
    virtual void on_checkpoint(std::int64_t /*step*/, const std::string& /*dir*/) {}
    virtual void on_paused(bool /*paused*/) {}
    virtual void on_warning(const WarningEvent&) {}
    virtual void on_gradients(const GradientReport&) {}  // once, after the first step's backward
    // The last event: how the run ended, with a message for the user.
    virtual void on_finish(TrainOutcome, const std::string& /*message*/) {}
};

struct TrainControl {
    std::atomic<bool> stop{false};   // checkpoint and return after the current step
    std::atomic<bool> pause{false};  // wait between steps until cleared (or stop)
};

}  // namespace ssmscope::model
