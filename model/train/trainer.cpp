#include "model/train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <thread>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "base/error.hpp"
#include "base/read_file.hpp"
#include "base/str.hpp"
#include "model/checkpoint/checkpoint.hpp"
#include "model/nn/language_model.hpp"
#include "model/tokenizer/bpe_tokenizer.hpp"
#include "model/tokenizer/byte_tokenizer.hpp"
#include "model/tokenizer/choose_tokenizer.hpp"
#include "model/train/batch_sampler.hpp"
#include "model/train/blocks.hpp"
#include "model/train/checkpoint_state.hpp"
#include "model/train/collectives.hpp"
#include "model/train/gradient_report.hpp"
#include "model/train/lora.hpp"
#include "model/train/lr_schedule.hpp"
#include "model/train/metrics_log.hpp"
#include "model/train/non_finite.hpp"
#include "model/train/optimizer_setup.hpp"
#include "model/train/run_dir.hpp"
#include "model/train/stability_snapshot.hpp"
#include "model/train/stability_watch.hpp"
#include "model/train/token_corpus.hpp"
#include "model/train/train_device.hpp"
#include "model/train/validation.hpp"

namespace ssmscope::model {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Trainer::Impl {
    TrainOptions options;
    fs::path out;
    ModelConfig config;
    std::shared_ptr<LanguageModel> model;
    std::unique_ptr<Tokenizer> tokenizer;
    std::optional<std::string> tokenizer_json;  // written next to every saved model
    std::unique_ptr<LoraAdapters> lora;
    Optimization optimization;
    TokenCorpus corpus;
    std::unique_ptr<BatchSampler> sampler;
    std::unique_ptr<CheckpointState> checkpoint;
    std::unique_ptr<StabilityProbe> stability;
    StabilityWatch watch;
    // Read after the first step's backward, reported once that step is done.
    std::optional<GradientReport> first_gradients;
    std::unique_ptr<MetricsLog> log;  // the lead's only
    TrainerState state;
    torch::Device device{torch::kCPU};
    std::int64_t saved_step = -1;
    std::int64_t rows = 0;  // this rank's share of the global batch
    Collectives ranks;

    void write_log(const nlohmann::json& j) {
        if (log)
            log->write(j);
    }
    void warn(TrainListener& listener, const WarningEvent& w) {
        write_log(to_json(w));
        listener.on_warning(w);
    }
    std::pair<bool, bool> agree(const TrainControl& control) {
        return ranks.agree(control.stop, control.pause);
    }

    void load_model(const fs::path& dir);
    void prepare(const std::optional<fs::path>& resume_from);
    std::optional<std::string> train_step(double lr, double& loss, double& grad_norm,
                                          torch::Tensor& last_inputs);
    EvalEvent evaluate();
    void save(TrainListener& listener);
    void write_model(const fs::path& dir);
};

// The weights, configuration and tokenizer of a checkpoint: a fine-tuning run's base, or the
// newest checkpoint of a run that resumes.
void Trainer::Impl::load_model(const fs::path& dir) {
    LoadedModel loaded = load_checkpoint(dir);
    model = loaded.model;
    config = loaded.config;
    // A tokenizer that cannot read the corpus (a large vocabulary with none) refuses it when the
    // corpus is encoded, saying to pass --tokenizer: never byte ids for another vocabulary.
    TokenizerChoice choice = choose_tokenizer({.file = options.tokenizer,
                                               .checkpoint_text = loaded.tokenizer_text,
                                               .checkpoint_source = loaded.tokenizer_source,
                                               .model_vocab = config.padded_vocab()});
    tokenizer = std::move(choice.tokenizer);
    if (!options.tokenizer.empty())
        tokenizer_json = read_file(options.tokenizer);
    else if (!loaded.tokenizer_text.empty())
        tokenizer_json = std::move(loaded.tokenizer_text);
}

void Trainer::Impl::prepare(const std::optional<fs::path>& resume_from) {
    device = resolve_device(options.device);
    rows = ranks.rows_of(options.batch);
    check_blocks(options.blocks, config.n_layer);
    model->to(device);
    model->train();
    if (options.lora_rank > 0) {
        LoraSpec spec;
        spec.blocks = options.blocks;
        spec.rank = options.lora_rank;
        spec.alpha = options.lora_alpha;
        spec.targets = options.lora_targets;
        lora = std::make_unique<LoraAdapters>(*model, spec);
    } else {
        freeze_outside_blocks(*model, options.blocks);
    }

    corpus = load_corpus(options.corpus, *tokenizer, options.seq_len, config.padded_vocab());
    const auto& v = corpus.validation;
    stability = std::make_unique<StabilityProbe>(
        config,
        std::vector<std::int64_t>(
            v.begin(), v.begin() + std::min<std::int64_t>(options.stability_tokens,
                                                          static_cast<std::int64_t>(v.size()))));

    optimization = make_optimizer(*model, lora.get(), options);
    {
        // Every rank starts from the lead's weights (a fresh model is seeded identically anyway;
        // this guards against anything that is not), then averages gradients at every step.
        torch::NoGradGuard no_grad;
        std::vector<torch::Tensor> weights;
        for (const auto& p : model->parameters())
            weights.push_back(p.data());
        if (lora)
            for (const torch::Tensor& t : lora->parameters())
                weights.push_back(t.data());
        ranks.broadcast_from_lead(weights);
        ranks.average_gradients_of(optimization.trainable);
    }

    sampler = std::make_unique<BatchSampler>(options.seed, options.seq_len);
    checkpoint =
        std::make_unique<CheckpointState>(*optimization.optimizer, lora.get(), *sampler, device);
    if (resume_from) {
        const fs::path dir = *resume_from;
        state = checkpoint->load(dir);
        if (state.corpus_fingerprint != corpus.fingerprint) {
            throw InputError(str(corpus.description, ": the corpus is not the one this run ",
                                 "started with (its tokens changed); resume needs the same text"));
        }
        saved_step = state.step;
        // All ranks must continue from the same checkpoint (one may have seen a newer one).
        const auto [lo, hi] = ranks.range_of(state.step);
        if (lo != hi) {
            throw InputError(str(dir.string(), ": the processes of this run found different ",
                                 "newest checkpoints (steps ", lo, " to ", hi, "); is ",
                                 out.string(), " the same directory on every machine?"));
        }
    } else {
        state.corpus_fingerprint = corpus.fingerprint;
    }
    if (ranks.lead())
        log = std::make_unique<MetricsLog>(out / run_dir::kMetrics, resume_from ? state.step : -1);
}

std::optional<std::string> Trainer::Impl::train_step(double lr, double& loss, double& grad_norm,
                                                     torch::Tensor& last_inputs) {
    optimization.optimizer->zero_grad();
    const std::int64_t len = options.seq_len;
    const std::int64_t vocab = config.padded_vocab();
    loss = 0;
    for (std::int64_t k = 0; k < options.accum; ++k) {
        // Every rank draws the whole global batch, keeping the samplers in step, and takes its
        // own rows of it.
        std::vector<std::int64_t> ids = sampler->next(corpus.train, options.batch);
        const torch::Tensor batch = torch::from_blob(ids.data() + ranks.rank() * rows * (len + 1),
                                                     {rows, len + 1}, torch::kInt64)
                                        .clone()
                                        .to(device);
        last_inputs = batch.slice(1, 0, len);
        const torch::Tensor targets = batch.slice(1, 1, len + 1);
        if (lora)
            lora->refresh();
        torch::Tensor logits;
        {
            Autocast autocast(device, bf16_autocast(options.precision, device));
            logits = model->forward(last_inputs);
        }
        const torch::Tensor l = torch::nn::functional::cross_entropy(
            logits.reshape({-1, vocab}).to(torch::kFloat32), targets.reshape({-1}));
        const double value = ranks.mean(l.item<double>());
        if (!std::isfinite(value)) {
            loss = value;
            return str("the training loss is ", finite_or_not(value), " (micro-batch ", k + 1,
                       " of ", options.accum, ")");
        }
        const bool last = k + 1 == options.accum;
        ranks.before_backward(last);
        (l / static_cast<double>(options.accum)).backward();
        ranks.after_backward(last);
        loss += value / static_cast<double>(options.accum);
    }
    // Gradients are averaged over the ranks by now: the lead's are everyone's.
    if (state.step == 0 && ranks.lead())
        first_gradients = gradient_report(trainable_tensors(*model, lora.get()), lora.get());
    std::vector<torch::Tensor> with_grad;
    for (const auto& t : optimization.trainable)
        if (t.grad().defined())
            with_grad.push_back(t);
    if (options.clip > 0) {
        grad_norm = torch::nn::utils::clip_grad_norm_(with_grad, options.clip);
    } else {
        double sq = 0;
        for (const auto& t : with_grad)
            sq += t.grad().to(torch::kFloat64).pow(2).sum().item<double>();
        grad_norm = std::sqrt(sq);
    }
    if (!std::isfinite(grad_norm))
        return str("the gradient norm is ", finite_or_not(grad_norm), " (the loss was ",
                   finite_or_not(loss), ")");
    set_learning_rate(*optimization.optimizer, lr);
    optimization.optimizer->step();
    return std::nullopt;
}

EvalEvent Trainer::Impl::evaluate() {
    EvalEvent e = evaluate_validation(*model, lora.get(), corpus.validation, config.padded_vocab(),
                                      options, device, ranks);
    e.step = state.step;
    return e;
}

void Trainer::Impl::write_model(const fs::path& dir) {
    const auto write = [&] { save_checkpoint(*model, dir); };
    if (lora)
        lora->with_merged(write);
    else
        write();
    if (tokenizer_json)
        run_dir::write_text_atomically(dir / "tokenizer.json", *tokenizer_json);
}

void Trainer::Impl::save(TrainListener& listener) {
    if (saved_step == state.step || state.step == 0)
        return;
    if (!ranks.lead()) {  // the lead writes the run; the others hold the same weights
        saved_step = state.step;
        return;
    }
    run_dir::write_checkpoint(out, state.step, options.keep_checkpoints, [&](const fs::path& dir) {
        write_model(dir);
        checkpoint->save(dir, state);
    });
    write_model(out);
    saved_step = state.step;
    const fs::path dir = run_dir::step_dir(out, state.step);
    write_log({{"event", "checkpoint"}, {"step", state.step}, {"dir", dir.string()}});
    listener.on_checkpoint(state.step, dir.string());
}

Trainer::Trainer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Trainer::~Trainer() = default;

std::unique_ptr<Trainer> Trainer::start(const TrainOptions& options, const ModelConfig& config,
                                        const fs::path& out, std::shared_ptr<ProcessGroup> group) {
    options.validate("training options");
    auto impl = std::make_unique<Impl>();
    impl->ranks = Collectives(std::move(group));
    const bool lead = impl->ranks.lead();
    std::error_code ec;
    if (lead && fs::exists(out / run_dir::kOptions, ec)) {
        throw InputError(str(out.string(), " already holds a training run; continue it with ",
                             "--resume ", out.string(), " or choose another --out"));
    }
    if (lead && fs::exists(out, ec) && !fs::is_empty(out, ec))
        throw InputError(str(out.string(), ": the output directory must be empty or absent"));

    impl->options = options;
    impl->out = out;
    if (options.corpus != "demo")
        impl->options.corpus = fs::absolute(options.corpus).string();
    if (!options.tokenizer.empty())
        impl->options.tokenizer = fs::absolute(options.tokenizer).string();
    torch::manual_seed(options.seed);
    if (!options.base_checkpoint.empty()) {
        impl->options.base_checkpoint = fs::absolute(options.base_checkpoint).string();
        impl->load_model(impl->options.base_checkpoint);
    } else {
        if (options.tokenizer.empty()) {
            impl->tokenizer = make_byte_tokenizer();
        } else {
            impl->tokenizer = load_tokenizer_json(options.tokenizer);
            impl->tokenizer_json = read_file(options.tokenizer);
        }
        impl->config = config;
        impl->config.vocab_size = impl->tokenizer->vocab_size();
        if (impl->config.pad_vocab_size_multiple < 8)
            impl->config.pad_vocab_size_multiple = 8;
        validate(impl->config, "model options");
        impl->model = std::make_shared<LanguageModel>(impl->config);
    }
    if (!lead) {
        impl->prepare(std::nullopt);
        return std::unique_ptr<Trainer>(new Trainer(std::move(impl)));
    }
    fs::create_directories(out);
    try {
        impl->prepare(std::nullopt);
    } catch (...) {
        fs::remove_all(out, ec);  // it was absent or empty: leave nothing half made
        throw;
    }
    write_train_options(impl->options, out / run_dir::kOptions);
    return std::unique_ptr<Trainer>(new Trainer(std::move(impl)));
}

std::unique_ptr<Trainer> Trainer::resume(const fs::path& out, std::int64_t steps,
                                         std::shared_ptr<ProcessGroup> group) {
    const fs::path options_file = out / run_dir::kOptions;
    if (!fs::exists(options_file))
        throw InputError(
            str(out.string(), ": not a training run (", options_file.string(), " is missing)"));
    auto impl = std::make_unique<Impl>();
    impl->ranks = Collectives(std::move(group));
    const bool lead = impl->ranks.lead();
    impl->options = read_train_options(options_file);
    if (steps > 0)
        impl->options.steps = steps;
    impl->out = out;
    if (lead)
        run_dir::sweep_temporaries(out);
    const auto latest = run_dir::latest_checkpoint(out);
    if (!latest) {
        throw InputError(str(out.string(), ": no complete checkpoint to resume from (",
                             run_dir::checkpoints(out).string(), " holds none)"));
    }
    torch::manual_seed(impl->options.seed);
    impl->load_model(*latest);
    impl->prepare(*latest);
    if (impl->state.step > impl->options.steps) {
        throw InputError(str(latest->string(), " is at step ", impl->state.step,
                             ", beyond --steps ", impl->options.steps));
    }
    if (lead)
        run_dir::write_text_atomically(options_file, to_json(impl->options).dump(2) + "\n");
    return std::unique_ptr<Trainer>(new Trainer(std::move(impl)));
}

TrainOutcome Trainer::run(TrainListener& listener, TrainControl& control) {
    Impl& m = *impl_;
    const TrainOptions& o = m.options;
    m.write_log({{"event", "start"}, {"step", m.state.step}, {"description", description()}});
    listener.on_start(description());
    const LrSchedule schedule{o.lr, o.min_lr, o.warmup, o.steps};
    const auto due = [&](std::int64_t every) { return every > 0 && m.state.step % every == 0; };
    const auto finish = [&](TrainOutcome outcome, const std::string& message) {
        m.write_log({{"event", "finish"},
                     {"step", m.state.step},
                     {"outcome", outcome == TrainOutcome::Finished  ? "finished"
                                 : outcome == TrainOutcome::Stopped ? "stopped"
                                                                    : "non-finite"},
                     {"message", message}});
        listener.on_finish(outcome, message);
        return outcome;
    };

    while (m.state.step < o.steps) {
        const auto [stop, pause] = m.agree(control);
        if (stop) {
            m.save(listener);
            // Before the first step there is nothing to save and nothing to resume.
            return finish(TrainOutcome::Stopped,
                          m.state.step == 0
                              ? std::string("stopped before the first step; nothing was saved")
                              : str("stopped at step ", m.state.step, "; continue with --resume ",
                                    m.out.string()));
        }
        if (pause) {
            listener.on_paused(true);
            // Asking all ranks at every wait keeps them waiting together (and within the
            // collectives' timeout).
            for (auto flags = m.agree(control); flags.second && !flags.first;
                 flags = m.agree(control))
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            listener.on_paused(false);
            continue;
        }
        const auto t0 = Clock::now();
        const double lr = schedule.at(m.state.step + 1);
        double loss = 0, grad_norm = 0;
        torch::Tensor inputs;
        if (auto bad = m.train_step(lr, loss, grad_norm, inputs)) {
            const std::string where = locate_non_finite(*m.model, m.lora.get(), inputs);
            const auto last = run_dir::latest_checkpoint(m.out);
            return finish(TrainOutcome::NonFinite,
                          str("step ", m.state.step + 1, ": ", *bad, "; ", where, ". ",
                              last ? str("The last good checkpoint is ", last->string(),
                                         " (continue with --resume ", m.out.string(), ")")
                                   : std::string("No checkpoint was written before it.")));
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        const std::int64_t tokens = o.batch * o.seq_len * o.accum;
        ++m.state.step;
        m.state.tokens += tokens;
        m.state.elapsed_s += seconds;

        StepEvent e;
        e.step = m.state.step;
        e.total_steps = o.steps;
        e.loss = loss;
        e.perplexity = std::exp(loss);
        e.lr = lr;
        e.grad_norm = grad_norm;
        e.tokens_per_second = static_cast<double>(tokens) / seconds;
        e.tokens = m.state.tokens;
        e.elapsed_s = m.state.elapsed_s;
        std::vector<WarningEvent> warnings;
        if (m.ranks.lead() && (due(o.stability_every) || m.state.step == o.steps)) {
            if (m.lora)
                m.lora->with_merged([&] { e.stability = m.stability->take(*m.model); });
            else
                e.stability = m.stability->take(*m.model);
            warnings = m.watch.check(e.step, *e.stability);
        }
        if (due(o.log_every) || e.stability || m.state.step == o.steps) {
            m.write_log(to_json(e));
            listener.on_step(e);
        }
        if (m.first_gradients) {
            m.write_log(to_json(*m.first_gradients));
            listener.on_gradients(*m.first_gradients);
            for (const WarningEvent& w : off_path_warnings(*m.first_gradients))
                m.warn(listener, w);
            m.first_gradients.reset();
        }
        for (const WarningEvent& w : warnings)
            m.warn(listener, w);
        if (due(o.eval_every) || m.state.step == o.steps) {
            const EvalEvent ev = m.evaluate();
            m.state.last_val_loss = ev.loss;
            m.write_log(to_json(ev));
            listener.on_eval(ev);
        }
        if (due(o.checkpoint_every))
            m.save(listener);
    }
    m.save(listener);
    return finish(TrainOutcome::Finished,
                  str("finished ", o.steps, " steps; the model is in ", m.out.string()));
}

LanguageModel& Trainer::model() {
    return *impl_->model;
}
const TrainOptions& Trainer::options() const {
    return impl_->options;
}
std::int64_t Trainer::step() const {
    return impl_->state.step;
}
const fs::path& Trainer::out() const {
    return impl_->out;
}
bool Trainer::lead() const {
    return impl_->ranks.lead();
}

std::string Trainer::description() const {
    const Impl& m = *impl_;
    return str(arch_name(m.config.arch), ", ", m.config.n_layer, " layers, d_model ",
               m.config.d_model, ", d_state ", m.config.d_state, ": ", m.model->parameter_count(),
               " parameters, ", m.optimization.trainable_count, " trained",
               m.lora ? str(" (LoRA rank ", m.options.lora_rank, " on ", m.lora->adapters().size(),
                            " matrices)")
                      : std::string(),
               ", on ", m.options.device,
               m.ranks.world() > 1
                   ? str(" × ", m.ranks.world(), " processes (batch ", m.rows, " each)")
                   : std::string(),
               "; ", m.corpus.description, "; step ", m.state.step, " of ", m.options.steps);
}

}  // namespace ssmscope::model
