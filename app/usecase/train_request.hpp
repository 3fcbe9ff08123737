// One schema for a training run, whichever front end starts it: the run the training panel's
// form describes (a new model of some sizes, or fine-tuning of a checkpoint), with the schedule
// derived from the few fields the form shows, and the ssmscope-cli command line that runs the
// same request in worker processes. The worker processes read the very TrainOptions the
// in-process run uses from an options file (the JSON of OUT/train.json), so a run's train.json
// does not depend on how many processes train it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "model/config/model_config.hpp"
#include "model/train/train_options.hpp"

namespace ssmscope::usecase {

// What the training form holds.
struct TrainForm {
    bool fine_tune = false;
    model::ModelSizes sizes;           // a new model
    std::string base_checkpoint;       // fine-tuning
    std::vector<std::int64_t> blocks;  // fine-tuning
    std::int64_t lora_rank = 0;        // fine-tuning
    std::string corpus = "demo";
    std::int64_t steps = 300;
    double lr = 3e-3;
    std::int64_t batch = 8, seq_len = 64, stability_every = 10;
    std::string device = "cpu";
    std::string precision = "auto";  // TrainOptions::precision
    int nproc = 1;
    std::string out;  // the run directory (absent or empty)
};

struct TrainRequest {
    // A new model: `config` (arch and sizes) with options.base_checkpoint empty. Fine-tuning:
    // options.base_checkpoint, options.blocks and options.lora_rank set.
    model::ModelConfig config;
    model::TrainOptions options;
    std::string out;     // the run directory (absent or empty)
    std::string resume;  // non-empty: continue the run in this directory instead
    int nproc = 1;       // > 1: data-parallel worker processes of ssmscope-cli
};

// The schedule a short interactive run gets from its number of steps: a tenth of the peak
// learning rate at the end of the cosine, a warm-up of a tenth of the steps (at most 30), five
// evaluations of 4096 tokens and five checkpoints, and every step logged for the live plots.
void derive_schedule(model::TrainOptions& options);

TrainRequest train_request(const TrainForm& form);
// Continues the run in `dir`; steps > 0 changes its total.
TrainRequest resume_request(const std::string& dir, std::int64_t steps, int nproc);

// The arguments of ssmscope-cli that run `request` in request.nproc processes, the options file
// holding request.options as model::write_train_options writes train.json:
//   train --resume DIR [--steps N] --nproc N
//   train --options FILE --out OUT [--arch A --d-model ... for a new model] --nproc N
std::vector<std::string> worker_arguments(const TrainRequest& request,
                                          const std::filesystem::path& options_file);

}  // namespace ssmscope::usecase
