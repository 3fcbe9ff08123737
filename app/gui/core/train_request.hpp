// What the training panel asks for: a new model of an architecture, fine-tuning of a loaded
// checkpoint (chosen blocks, optionally through LoRA), or the continuation of a run; in this
// process, or in `nproc` worker processes of ssmscope-cli.
#pragma once

#include <cstdint>
#include <string>

#include "model/config/model_config.hpp"
#include "model/train/train_options.hpp"

namespace ssmscope::gui {

struct TrainRequest {
    // A new model: `config` (arch and sizes) with options.base_checkpoint empty. Fine-tuning:
    // options.base_checkpoint, options.blocks and options.lora_rank set.
    model::ModelConfig config;
    model::TrainOptions options;
    std::string out;     // the run directory (absent or empty)
    std::string resume;  // non-empty: continue the run in this directory instead
    int nproc = 1;       // > 1: data-parallel worker processes (c10d, Gloo)
};

}  // namespace ssmscope::gui
