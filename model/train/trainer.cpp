#include "model/train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <sstream>
#include <thread>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <nlohmann/json.hpp>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/checkpoint/checkpoint.hpp"
#include "model/io/atomic_file.hpp"
#include "model/nn/language_model.hpp"
#include "model/tokenizer/byte_tokenizer.hpp"
#include "model/tokenizer/load_tokenizer.hpp"
#include "model/train/batch_sampler.hpp"
#include "model/train/blocks.hpp"
#include "model/train/gradient_sync.hpp"
#include "model/train/lora.hpp"
#include "model/train/lr_schedule.hpp"
#include "model/train/metrics_log.hpp"
#include "model/train/process_group.hpp"
#include "model/train/run_dir.hpp"
#include "model/train/stability_snapshot.hpp"
#include "model/train/token_corpus.hpp"

namespace ssmscope::model {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

torch::Device resolve_device(const std::string& name) {
    if (name == "cpu")
        return torch::kCPU;
    if (!torch::cuda::is_available()) {
        throw InputError(
            "--device cuda: no CUDA device is available to this LibTorch "
            "(torch::cuda::is_available() is false; a CPU-only build or no GPU); "
            "use --device cpu");
    }
    return torch::kCUDA;
}

// bf16 autocast around the forward on CUDA, as mixed-precision training of Mamba does.
class Autocast {
  public:
    explicit Autocast(bool on) : on_(on) {
        if (on_) {
            at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
            at::autocast::set_enabled(true);
        }
    }
    ~Autocast() {
        if (on_) {
            at::autocast::set_enabled(false);
            at::autocast::clear_cache();
        }
    }
    Autocast(const Autocast&) = delete;
    Autocast& operator=(const Autocast&) = delete;

  private:
    bool on_;
};

// Weight decay on matrices, not on A (its parametrisation is the stability), vectors or norms.
bool decays(const std::string& name, const torch::Tensor& p) {
    return p.dim() >= 2 && name.find(".A_") == std::string::npos;
}

// Archive keys are attribute names: no dots.
std::string archive_key(std::string name) {
    for (char& c : name)
        if (c == '.')
            c = '_';
    return "lora_" + name;
}

std::string number(double v) {
    return std::isnan(v) ? std::string("NaN") : std::isinf(v) ? (v > 0 ? "+Inf" : "-Inf") : str(v);
}

bool all_finite(const torch::Tensor& t) {
    return torch::isfinite(t).all().item<bool>();
}

}  // namespace

struct Trainer::Impl {
    TrainOptions options;
    fs::path out;
    ModelConfig config;
    std::shared_ptr<LanguageModel> model;
    std::unique_ptr<Tokenizer> tokenizer;
    std::optional<std::string> tokenizer_json;  // written next to every saved model
    std::unique_ptr<LoraAdapters> lora;
    std::unique_ptr<torch::optim::AdamW> optimizer;
    std::vector<torch::Tensor> trainable;
    std::int64_t trainable_count = 0;
    TokenCorpus corpus;
    std::unique_ptr<BatchSampler> sampler;
    std::unique_ptr<StabilityProbe> stability;
    std::unique_ptr<MetricsLog> log;
    TrainerState state;
    torch::Device device{torch::kCPU};
    std::int64_t saved_step = -1;
    std::shared_ptr<ProcessGroup> group;  // null: one process
    std::unique_ptr<GradientSync> sync;   // with several processes

    int rank() const { return group ? group->rank() : 0; }
    int world() const { return group ? group->size() : 1; }
    bool lead() const { return rank() == 0; }  // writes the run directory, reports
    void write_log(const nlohmann::json& j) {
        if (log)
            log->write(j);
    }
    // The mean over the ranks of a value each computed on its share.
    double mean_over_ranks(double v) {
        if (world() == 1)
            return v;
        torch::Tensor t = torch::tensor({v}, torch::kFloat64);
        group->all_reduce_sum(t);
        return t.item<double>() / world();
    }
    double sum_over_ranks(double v) { return world() == 1 ? v : mean_over_ranks(v) * world(); }
    // Stop and pause as any rank asked: all ranks then take the same branch.
    std::pair<bool, bool> agree(const TrainControl& control) {
        bool stop = control.stop, pause = control.pause;
        if (world() > 1) {
            torch::Tensor t = torch::tensor({stop ? 1.0 : 0.0, pause ? 1.0 : 0.0});
            group->all_reduce_max(t);
            stop = t[0].item<double>() > 0;
            pause = t[1].item<double>() > 0;
        }
        return {stop, pause};
    }

    void prepare(const std::optional<fs::path>& resume_from);
    std::optional<std::string> train_step(double lr, double& loss, double& grad_norm,
                                          torch::Tensor& last_inputs);
    EvalEvent evaluate();
    void save(TrainListener& listener);
    void write_model(const fs::path& dir);
    std::string diagnose(const torch::Tensor& inputs);
};

void Trainer::Impl::prepare(const std::optional<fs::path>& resume_from) {
    device = resolve_device(options.device);
    if (options.batch % world() != 0) {
        throw InputError(str("--batch ", options.batch, " must be a multiple of the number of ",
                             "processes (", world(), "): it is the global batch, split evenly"));
    }
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
    } else if (!options.blocks.empty()) {
        for (auto& p : model->named_parameters())
            p.value().set_requires_grad(in_blocks(p.key(), options.blocks));
    }

    corpus = load_corpus(options.corpus, *tokenizer, options.seq_len, config.padded_vocab());
    const auto& v = corpus.validation;
    stability = std::make_unique<StabilityProbe>(
        config,
        std::vector<std::int64_t>(
            v.begin(), v.begin() + std::min<std::int64_t>(options.stability_tokens,
                                                          static_cast<std::int64_t>(v.size()))));

    std::vector<torch::Tensor> decay, no_decay;
    for (const auto& p : model->named_parameters()) {
        if (p.value().requires_grad())
            (decays(p.key(), p.value()) ? decay : no_decay).push_back(p.value());
    }
    if (lora)
        for (const torch::Tensor& t : lora->parameters())
            decay.push_back(t);
    trainable = decay;
    trainable.insert(trainable.end(), no_decay.begin(), no_decay.end());
    for (const auto& t : trainable)
        trainable_count += t.numel();
    if (trainable.empty())
        throw InputError("training options: no parameter is left to train");

    torch::optim::AdamWOptions adamw(options.lr);
    adamw.betas({options.beta1, options.beta2}).eps(options.eps).weight_decay(options.weight_decay);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(adamw));
    auto plain = std::make_unique<torch::optim::AdamWOptions>(adamw);
    plain->weight_decay(0.0);
    groups.emplace_back(no_decay, std::move(plain));
    optimizer = std::make_unique<torch::optim::AdamW>(std::move(groups), adamw);
    if (world() > 1) {
        // Every rank starts from rank 0's weights (a fresh model is seeded identically anyway;
        // this guards against anything that is not), then averages gradients at every step.
        torch::NoGradGuard no_grad;
        std::vector<torch::Tensor> weights;
        for (const auto& p : model->parameters())
            weights.push_back(p.data());
        if (lora)
            for (const torch::Tensor& t : lora->parameters())
                weights.push_back(t.data());
        group->broadcast(weights);
        sync = std::make_unique<GradientSync>(trainable, group);
    }

    sampler = std::make_unique<BatchSampler>(options.seed, options.seq_len);
    if (!resume_from) {
        state.corpus_fingerprint = corpus.fingerprint;
        if (lead())
            log = std::make_unique<MetricsLog>(out / run_dir::kMetrics, -1);
        return;
    }

    const fs::path dir = *resume_from;
    state = trainer_state_from_json(
        nlohmann::json::parse(run_dir::read_text(dir / run_dir::kState), nullptr, false),
        (dir / run_dir::kState).string());
    if (state.corpus_fingerprint != corpus.fingerprint) {
        throw InputError(str(corpus.description, ": the corpus is not the one this run started ",
                             "with (its tokens changed); resume needs the same text"));
    }
    sampler->restore(state.sampler);
    torch::serialize::InputArchive archive;
    try {
        archive.load_from((dir / run_dir::kTrainer).string());
        torch::serialize::InputArchive opt;
        archive.read("optimizer", opt);
        optimizer->load(opt);
        torch::Tensor rng;
        archive.read("cpu_rng", rng);
        at::Generator(at::detail::getDefaultCPUGenerator()).set_state(rng);
    } catch (const c10::Error& e) {
        throw InputError(str((dir / run_dir::kTrainer).string(),
                             ": cannot read the optimizer state: ", e.what_without_backtrace()));
    }
    if (lora) {
        lora->load_state([&](const std::string& name) {
            torch::Tensor t;
            if (!archive.try_read(archive_key(name), t))
                return torch::Tensor();
            return t.to(device);
        });
    }
    saved_step = state.step;
    if (world() > 1) {
        // All ranks must continue from the same checkpoint (one may have seen a newer one).
        torch::Tensor t =
            torch::tensor({static_cast<double>(state.step), -static_cast<double>(state.step)});
        group->all_reduce_max(t);
        if (t[0].item<double>() != -t[1].item<double>()) {
            throw InputError(
                str(dir.string(), ": the processes of this run found different newest ",
                    "checkpoints (steps ", -t[1].item<double>(), " to ", t[0].item<double>(),
                    "); is ", out.string(), " the same directory on every machine?"));
        }
    }
    if (lead())
        log = std::make_unique<MetricsLog>(out / run_dir::kMetrics, state.step);
}

std::optional<std::string> Trainer::Impl::train_step(double lr, double& loss, double& grad_norm,
                                                     torch::Tensor& last_inputs) {
    optimizer->zero_grad();
    const std::int64_t len = options.seq_len;
    const std::int64_t rows = options.batch / world();  // this rank's share of the global batch
    const std::int64_t vocab = config.padded_vocab();
    loss = 0;
    for (std::int64_t k = 0; k < options.accum; ++k) {
        // Every rank draws the whole global batch, keeping the samplers in step, and takes its
        // own rows of it.
        std::vector<std::int64_t> ids = sampler->next(corpus.train, options.batch);
        const torch::Tensor batch =
            torch::from_blob(ids.data() + rank() * rows * (len + 1), {rows, len + 1}, torch::kInt64)
                .clone()
                .to(device);
        last_inputs = batch.slice(1, 0, len);
        const torch::Tensor targets = batch.slice(1, 1, len + 1);
        if (lora)
            lora->refresh();
        torch::Tensor logits;
        {
            Autocast autocast(device.is_cuda());
            logits = model->forward(last_inputs);
        }
        const torch::Tensor l = torch::nn::functional::cross_entropy(
            logits.reshape({-1, vocab}).to(torch::kFloat32), targets.reshape({-1}));
        const double value = mean_over_ranks(l.item<double>());
        if (!std::isfinite(value)) {
            loss = value;
            return str("the training loss is ", number(value), " (micro-batch ", k + 1, " of ",
                       options.accum, ")");
        }
        const bool last = k + 1 == options.accum;
        if (sync)
            sync->prepare(last);
        (l / static_cast<double>(options.accum)).backward();
        if (sync && last)
            sync->finish();
        loss += value / static_cast<double>(options.accum);
    }
    std::vector<torch::Tensor> with_grad;
    for (const auto& t : trainable)
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
        return str("the gradient norm is ", number(grad_norm), " (the loss was ", number(loss),
                   ")");
    for (auto& param_group : optimizer->param_groups())
        static_cast<torch::optim::AdamWOptions&>(param_group.options()).lr(lr);
    optimizer->step();
    return std::nullopt;
}

EvalEvent Trainer::Impl::evaluate() {
    torch::NoGradGuard no_grad;
    model->eval();
    if (lora)
        lora->refresh();
    const auto& v = corpus.validation;
    const std::int64_t len = options.seq_len, vocab = config.padded_vocab();
    const std::int64_t usable =
        std::min<std::int64_t>(options.eval_tokens, static_cast<std::int64_t>(v.size()) - 1);
    const std::int64_t windows = std::max<std::int64_t>(1, usable / len);
    // Rank r scores windows [r·windows/W, (r+1)·windows/W); the sums are added over the ranks.
    const std::int64_t first = windows * rank() / world(), end = windows * (rank() + 1) / world();
    double nll = 0;
    for (std::int64_t w0 = first; w0 < end; w0 += options.batch) {
        const std::int64_t rows = std::min(options.batch, end - w0);
        std::vector<std::int64_t> ids;
        for (std::int64_t w = w0; w < w0 + rows; ++w)
            ids.insert(ids.end(), v.begin() + w * len, v.begin() + w * len + len + 1);
        const torch::Tensor batch =
            torch::from_blob(ids.data(), {rows, len + 1}, torch::kInt64).clone().to(device);
        torch::Tensor logits;
        {
            Autocast autocast(device.is_cuda());
            logits = model->forward(batch.slice(1, 0, len));
        }
        nll += torch::nn::functional::cross_entropy(
                   logits.reshape({-1, vocab}).to(torch::kFloat64),
                   batch.slice(1, 1, len + 1).reshape({-1}),
                   torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                   .item<double>();
    }
    model->train();
    nll = sum_over_ranks(nll);
    EvalEvent e;
    e.step = state.step;
    e.tokens = windows * len;
    e.loss = nll / static_cast<double>(e.tokens);
    e.perplexity = std::exp(e.loss);
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
    if (!lead()) {  // rank 0 writes the run; the others hold the same weights
        saved_step = state.step;
        return;
    }
    state.sampler = sampler->state();
    run_dir::write_checkpoint(out, state.step, options.keep_checkpoints, [&](const fs::path& dir) {
        write_model(dir);
        torch::serialize::OutputArchive archive, opt;
        optimizer->save(opt);
        archive.write("optimizer", opt);
        archive.write("cpu_rng", at::detail::getDefaultCPUGenerator().get_state());
        if (lora)
            for (const auto& [name, t] : lora->state())
                archive.write(archive_key(name), t);
        std::ostringstream bytes;
        archive.save_to(bytes);
        AtomicFile f(dir / run_dir::kTrainer);
        f.write(bytes.str());
        f.commit();
        // Written last: its presence marks the checkpoint complete (run_dir::latest_checkpoint).
        run_dir::write_text_atomically(dir / run_dir::kState, to_json(state).dump(2) + "\n");
    });
    write_model(out);
    saved_step = state.step;
    const fs::path dir = run_dir::step_dir(out, state.step);
    write_log({{"event", "checkpoint"}, {"step", state.step}, {"dir", dir.string()}});
    listener.on_checkpoint(state.step, dir.string());
}

std::string Trainer::Impl::diagnose(const torch::Tensor& inputs) {
    torch::NoGradGuard no_grad;
    for (const auto& p : model->named_parameters())
        if (!all_finite(p.value()))
            return str("parameter ", p.key(), " holds NaN or Inf");
    if (lora)
        for (const auto& a : lora->adapters())
            if (!all_finite(a.A) || !all_finite(a.B))
                return str("the LoRA adapter of ", a.name, " holds NaN or Inf");
    std::vector<torch::Tensor> hidden;
    model->forward(inputs, &hidden);
    for (std::size_t i = 0; i < hidden.size(); ++i) {
        if (!all_finite(hidden[i])) {
            return i == 0 ? std::string("the embeddings of the batch are not finite")
                          : str("the residual stream first becomes non-finite after layer ", i - 1);
        }
    }
    return "every weight and hidden state is finite: the logits or the loss overflowed";
}

Trainer::Trainer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Trainer::~Trainer() = default;

std::unique_ptr<Trainer> Trainer::start(const TrainOptions& options, const ModelConfig& config,
                                        const fs::path& out, std::shared_ptr<ProcessGroup> group) {
    options.validate("training options");
    const bool lead = !group || group->rank() == 0;
    std::error_code ec;
    if (lead && fs::exists(out / run_dir::kOptions, ec)) {
        throw InputError(str(out.string(), " already holds a training run; continue it with ",
                             "--resume ", out.string(), " or choose another --out"));
    }
    if (lead && fs::exists(out, ec) && !fs::is_empty(out, ec))
        throw InputError(str(out.string(), ": the output directory must be empty or absent"));

    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->out = out;
    impl->group = std::move(group);
    if (options.corpus != "demo")
        impl->options.corpus = fs::absolute(options.corpus).string();
    torch::manual_seed(options.seed);
    if (!options.base_checkpoint.empty()) {
        impl->options.base_checkpoint = fs::absolute(options.base_checkpoint).string();
        LoadedModel loaded = load_checkpoint(options.base_checkpoint);
        impl->model = loaded.model;
        impl->config = loaded.config;
        impl->tokenizer = load_tokenizer(options.base_checkpoint);
        if (fs::exists(fs::path(options.base_checkpoint) / "tokenizer.json"))
            impl->tokenizer_json =
                run_dir::read_text(fs::path(options.base_checkpoint) / "tokenizer.json");
    } else {
        impl->tokenizer = make_byte_tokenizer();
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
    run_dir::write_text_atomically(out / run_dir::kOptions, to_json(impl->options).dump(2) + "\n");
    return std::unique_ptr<Trainer>(new Trainer(std::move(impl)));
}

std::unique_ptr<Trainer> Trainer::resume(const fs::path& out, std::int64_t steps,
                                         std::shared_ptr<ProcessGroup> group) {
    const bool lead = !group || group->rank() == 0;
    const fs::path options_file = out / run_dir::kOptions;
    if (!fs::exists(options_file))
        throw InputError(
            str(out.string(), ": not a training run (", options_file.string(), " is missing)"));
    const auto j = nlohmann::json::parse(run_dir::read_text(options_file), nullptr, false);
    if (j.is_discarded())
        throw InputError(str(options_file.string(), ": not valid JSON"));
    auto impl = std::make_unique<Impl>();
    impl->options = train_options_from_json(j, options_file.string());
    if (steps > 0)
        impl->options.steps = steps;
    impl->out = out;
    impl->group = std::move(group);
    if (lead)
        run_dir::sweep_temporaries(out);
    const auto latest = run_dir::latest_checkpoint(out);
    if (!latest) {
        throw InputError(str(out.string(), ": no complete checkpoint to resume from (",
                             run_dir::checkpoints(out).string(), " holds none)"));
    }
    torch::manual_seed(impl->options.seed);
    LoadedModel loaded = load_checkpoint(*latest);
    impl->model = loaded.model;
    impl->config = loaded.config;
    impl->tokenizer = load_tokenizer(*latest);
    if (fs::exists(*latest / "tokenizer.json"))
        impl->tokenizer_json = run_dir::read_text(*latest / "tokenizer.json");
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
            const std::string where = m.diagnose(inputs);
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
        if (m.lead() && (due(o.stability_every) || m.state.step == o.steps)) {
            if (m.lora)
                m.lora->with_merged([&] { e.stability = m.stability->take(*m.model); });
            else
                e.stability = m.stability->take(*m.model);
        }
        if (due(o.log_every) || e.stability || m.state.step == o.steps) {
            m.write_log(to_json(e));
            listener.on_step(e);
        }
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
    return impl_->lead();
}

std::string Trainer::description() const {
    const Impl& m = *impl_;
    return str(arch_name(m.config.arch), ", ", m.config.n_layer, " layers, d_model ",
               m.config.d_model, ", d_state ", m.config.d_state, ": ", m.model->parameter_count(),
               " parameters, ", m.trainable_count, " trained",
               m.lora ? str(" (LoRA rank ", m.options.lora_rank, " on ", m.lora->adapters().size(),
                            " matrices)")
                      : std::string(),
               ", on ", m.options.device,
               m.world() > 1 ? str(" × ", m.world(), " processes (batch ",
                                   m.options.batch / m.world(), " each)")
                             : std::string(),
               "; ", m.corpus.description, "; step ", m.state.step, " of ", m.options.steps);
}

}  // namespace ssmscope::model
