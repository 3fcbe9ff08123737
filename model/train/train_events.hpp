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

// Per layer, from the weights and a short probe of validation text (analysis/).
struct LayerStabilitySnapshot {
    double spectral_abscissa = 0;  // max over units of max Re λ(A)
    double largest_lyapunov = 0;   // largest state Lyapunov exponent over the units, per token
    double ctrb_fraction = 0;      // fraction of the frozen (A, b_t) systems with full rank
};
struct StabilitySnapshot {
    std::vector<LayerStabilitySnapshot> layers;
    double seconds = 0;  // time it took
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
    // The last event: how the run ended, with a message for the user.
    virtual void on_finish(TrainOutcome, const std::string& /*message*/) {}
};

struct TrainControl {
    std::atomic<bool> stop{false};   // checkpoint and return after the current step
    std::atomic<bool> pause{false};  // wait between steps until cleared (or stop)
};

}  // namespace ssmscope::model
