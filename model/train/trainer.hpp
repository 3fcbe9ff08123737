// Trains or fine-tunes a model of the Mamba family on a token corpus (run_dir.hpp describes the
// directory it writes). AdamW with warm-up + cosine schedule, gradient clipping and accumulation,
// validation perplexity and a stability snapshot at fixed intervals, checkpoints with optimizer,
// RNG and data position. On CPU a run that is stopped and resumed is bitwise identical to one
// that was not: nothing the trainer does depends on wall time or on when it was interrupted.
//
// The trainer runs on the calling thread; front ends steer it through TrainControl and hear from
// it through TrainListener (train_events.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "model/config/model_config.hpp"
#include "model/train/train_events.hpp"
#include "model/train/train_options.hpp"

namespace ssmscope::model {

class LanguageModel;

class Trainer {
  public:
    // A new run in `out` (absent or empty). Trains a new model of `config` (vocab_size is set
    // from the byte-level tokenizer) or, when options.base_checkpoint is set, fine-tunes that
    // checkpoint (`config` is then ignored). Throws InputError for bad options, a corpus that is
    // too short, CUDA asked for where there is none, or an `out` that already holds a run.
    static std::unique_ptr<Trainer> start(const TrainOptions& options, const ModelConfig& config,
                                          const std::filesystem::path& out);
    // Continues the run in `out` from its newest complete checkpoint; `steps` > 0 changes the
    // total number of steps (the cosine schedule stretches accordingly).
    static std::unique_ptr<Trainer> resume(const std::filesystem::path& out,
                                           std::int64_t steps = 0);

    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    // Runs to the end, to a stop request or to a non-finite loss; see TrainOutcome.
    TrainOutcome run(TrainListener& listener, TrainControl& control);

    LanguageModel& model();
    const TrainOptions& options() const;
    std::int64_t step() const;
    const std::filesystem::path& out() const;
    std::string description() const;  // one line: model, corpus, trainable parameters, device

  private:
    struct Impl;
    explicit Trainer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace ssmscope::model
