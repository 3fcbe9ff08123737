#include "app/cli/train_args.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>

#include "app/cli/exit_codes.hpp"
#include "model/train/process_group.hpp"

namespace ssmscope::cli {

namespace {

model::TrainControl* g_control = nullptr;

extern "C" void on_sigint(int) {
    if (g_control && !g_control->stop.load()) {
        g_control->stop.store(true);  // lock-free atomic: safe in a signal handler
        return;
    }
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

class Progress : public model::TrainListener {
  public:
    Progress(bool quiet, bool silent, bool finetune)
        : quiet_(quiet || silent), silent_(silent), finetune_(finetune) {}
    void on_start(const std::string& d) override { say("train: %s\n", d.c_str()); }
    void on_step(const model::StepEvent& e) override {
        say("step %lld/%lld  loss %.4f  ppl %.2f  lr %.3g  |g| %.3g  %.0f tok/s",
            static_cast<long long>(e.step), static_cast<long long>(e.total_steps), e.loss,
            e.perplexity, e.lr, e.grad_norm, e.tokens_per_second);
        if (e.stability) {
            double abscissa = -1e300, lyap = -1e300, ctrb = 1, abs_a = 1e300, abar = 0, state = 0;
            for (const auto& l : e.stability->layers) {
                abscissa = std::max(abscissa, l.spectral_abscissa);
                lyap = std::max(lyap, l.largest_lyapunov);
                ctrb = std::min(ctrb, l.ctrb_fraction);
                abs_a = std::min(abs_a, l.min_abs_a);
                abar = std::max(abar, l.max_abar);
                state = std::max(state, l.max_state_norm);
            }
            say("  | max Re λ(A) %.3g  λ_max %.3g  ctrb %.0f%%  min|A| %.3g  1-max ā %.3g  "
                "max|h| %.3g",
                abscissa, lyap, 100 * ctrb, abs_a, 1 - abar, state);
        }
        say("\n");
    }
    void on_eval(const model::EvalEvent& e) override {
        say("eval step %lld: validation loss %.4f, perplexity %.3f (%lld tokens)\n",
            static_cast<long long>(e.step), e.loss, e.perplexity, static_cast<long long>(e.tokens));
    }
    void on_warning(const model::WarningEvent& w) override {
        say("warning: step %lld: %s\n", static_cast<long long>(w.step), w.message.c_str());
    }
    // A fine-tuning run names the tensors its first step reaches, to show that the adapters or
    // blocks it was asked to train are on the autograd path; a run from scratch trains
    // everything, and names only what its gradients miss.
    void on_gradients(const model::GradientReport& g) override {
        const std::size_t total = g.nonzero.size() + g.zero.size();
        say("gradients of step %lld: non-zero in %zu of %zu trained tensors",
            static_cast<long long>(g.step), g.nonzero.size(), total);
        if (finetune_ && !g.nonzero.empty())
            say(": %s", joined(g.nonzero).c_str());
        if (!g.zero.empty()) {
            say("; zero or none: %s", joined(g.zero).c_str());
            // Expected: ∂L/∂A = (α/r)·Bᵀ·∂L/∂W vanishes while B is still its initial 0.
            if (finetune_ && joined(g.zero).find(".lora_A") != std::string::npos)
                say(" (lora_A's gradient is 0 while its lora_B is the initial 0)");
        }
        say("\n");
    }
    void on_checkpoint(std::int64_t step, const std::string& dir) override {
        say("checkpoint step %lld: %s\n", static_cast<long long>(step), dir.c_str());
    }
    void on_finish(model::TrainOutcome, const std::string& message) override {
        if (!silent_)
            std::fprintf(stderr, "train: %s\n", message.c_str());  // even when quiet
    }

  private:
    template <typename... A>
    void say(const char* f, A... a) {
        if (!quiet_)
            std::fprintf(stderr, f, a...);
    }
    bool quiet_;
    bool silent_;  // ranks other than 0 of a multi-process run: rank 0 speaks for the run
    bool finetune_;
};

}  // namespace

std::vector<CLI::Option*> add_train_args(CLI::App& cmd, model::TrainOptions& o) {
    std::vector<CLI::Option*> added;
    const auto add = [&](CLI::Option* option) {
        added.push_back(option);
        return option;
    };
    add(cmd.add_option("--corpus", o.corpus, "UTF-8 training text, or 'demo' for the demo corpus"));
    add(cmd.add_option("--tokenizer", o.tokenizer,
                       "tokenizer.json to read the corpus with (default: the base checkpoint's "
                       "own; from scratch, the byte tokenizer)"));
    add(cmd.add_option("--steps", o.steps, "optimizer steps"))->capture_default_str();
    add(cmd.add_option("--batch", o.batch, "sequences per micro-batch"))->capture_default_str();
    add(cmd.add_option("--seq-len", o.seq_len, "tokens per sequence"))->capture_default_str();
    add(cmd.add_option("--accum", o.accum, "micro-batches per step (gradient accumulation)"))
        ->capture_default_str();
    add(cmd.add_option("--lr", o.lr, "peak learning rate"))->capture_default_str();
    add(cmd.add_option("--min-lr", o.min_lr, "learning rate at the end of the cosine"))
        ->capture_default_str();
    add(cmd.add_option("--warmup", o.warmup, "linear warm-up steps"))->capture_default_str();
    add(cmd.add_option("--weight-decay", o.weight_decay, "AdamW weight decay (matrices only)"))
        ->capture_default_str();
    add(cmd.add_option("--clip", o.clip, "max gradient norm (0: off)"))->capture_default_str();
    add(cmd.add_option("--seed", o.seed, "seed of the initialisation and the data order"))
        ->capture_default_str();
    add(cmd.add_option("--log-every", o.log_every, "steps between metrics lines"))
        ->capture_default_str();
    add(cmd.add_option("--eval-every", o.eval_every,
                       "steps between validation runs (0: at the end)"))
        ->capture_default_str();
    add(cmd.add_option("--eval-tokens", o.eval_tokens, "validation tokens per evaluation"))
        ->capture_default_str();
    add(cmd.add_option("--stability-every", o.stability_every,
                       "steps between stability snapshots (0: at the end)"))
        ->capture_default_str();
    add(cmd.add_option("--checkpoint-every", o.checkpoint_every,
                       "steps between checkpoints (one is always written at the end)"))
        ->capture_default_str();
    add(cmd.add_option("--keep", o.keep_checkpoints, "checkpoints kept"))->capture_default_str();
    add(cmd.add_option("--device", o.device, "cpu or cuda"))->capture_default_str();
    add(cmd.add_option("--precision", o.precision,
                       "forward precision: bf16 (autocast; float32 weights, scan state and loss), "
                       "float32, or auto (bf16 on cuda, float32 on cpu)"))
        ->capture_default_str();
    return added;
}

int run_training(model::Trainer& trainer, bool quiet) {
    model::TrainControl control;
    Progress progress(quiet, !trainer.lead(), !trainer.options().base_checkpoint.empty());
    g_control = &control;
    auto* previous = std::signal(SIGINT, on_sigint);
    const model::TrainOutcome outcome = trainer.run(progress, control);
    std::signal(SIGINT, previous);
    g_control = nullptr;
    switch (outcome) {
        case model::TrainOutcome::Finished:
            return kOk;
        case model::TrainOutcome::Stopped:
            return kInterrupted;
        case model::TrainOutcome::NonFinite:
            return kConditionFails;
    }
    return kConditionFails;
}

int run_distributed(const std::function<std::unique_ptr<model::Trainer>()>& make, bool quiet) {
    try {
        auto trainer = make();
        return run_training(*trainer, quiet);
    } catch (const model::DistributedError& e) {
        std::fprintf(stderr, "ssmscope-cli: error: %s\n", e.what());
        return kConditionFails;
    }
}

}  // namespace ssmscope::cli
