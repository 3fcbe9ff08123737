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
class ProcessGroup;

class Trainer {
  public:
    // A new run in `out` (absent or empty). Trains a new model of `config` (vocab_size is set
    // from the byte-level tokenizer) or, when options.base_checkpoint is set, fine-tunes that
    // checkpoint (`config` is then ignored). Throws InputError for bad options, a corpus that is
    // too short, CUDA asked for where there is none, or an `out` that already holds a run.
    //
    // With a process group of several ranks the run is data-parallel: options.batch is the
    // global batch, which every rank draws identically and of which rank r trains on rows
    // [r·batch/W, (r+1)·batch/W) (a disjoint share of each batch, as PyTorch's
    // DistributedSampler gives); gradients are averaged over the ranks (GradientSync), so the
    // run computes what one process with the whole batch would. Rank 0 alone writes `out` (the
    // options, metrics and checkpoints) and reports to the listener; every rank must see `out`
    // at the same path to resume.
    static std::unique_ptr<Trainer> start(const TrainOptions& options, const ModelConfig& config,
                                          const std::filesystem::path& out,
                                          std::shared_ptr<ProcessGroup> group = nullptr);
    // Continues the run in `out` from its newest complete checkpoint; `steps` > 0 changes the
    // total number of steps (the cosine schedule stretches accordingly). The number of processes
    // may differ from the run's earlier parts.
    static std::unique_ptr<Trainer> resume(const std::filesystem::path& out, std::int64_t steps = 0,
                                           std::shared_ptr<ProcessGroup> group = nullptr);

    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    // Runs to the end, to a stop request or to a non-finite loss; see TrainOutcome. In a
    // data-parallel run the ranks agree on stop and pause at every step; a rank that dies makes
    // the others throw DistributedError at their next collective.
    TrainOutcome run(TrainListener& listener, TrainControl& control);

    LanguageModel& model();
    const TrainOptions& options() const;
    std::int64_t step() const;
    const std::filesystem::path& out() const;
    std::string description() const;  // one line: model, corpus, trainable parameters, device
    bool lead() const;  // rank 0, or the only process: the one that writes and reports

  private:
    struct Impl;
    explicit Trainer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace ssmscope::model
