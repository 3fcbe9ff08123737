// What `train` and `finetune` share: the training flags (TrainOptions), the progress printed on
// stderr, SIGINT handling (save a checkpoint, then exit) and the exit code of a run.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/cli/exit_codes.hpp"
#include "model/train/trainer.hpp"

namespace ssmscope::cli {

// Returns the flags it added, so that `train --options FILE` can refuse them beside the file.
std::vector<CLI::Option*> add_train_args(CLI::App& cmd, model::TrainOptions& options);

// Runs the trainer with progress on stderr; SIGINT requests a stop (a second one aborts at
// once). Returns 0 when finished, 130 when stopped, 1 when the loss became non-finite.
int run_training(model::Trainer& trainer, bool quiet);

// Makes the trainer (joining the process group of a multi-process run) and runs it; a failure
// of the run's collectives (model::DistributedError: a worker died or stopped answering) is
// reported and returns 1.
int run_distributed(const std::function<std::unique_ptr<model::Trainer>()>& make, bool quiet);

}  // namespace ssmscope::cli
