// Which parameters a run trains and the AdamW that trains them: weight decay on matrices only,
// not on A (its parametrisation is the stability), vectors or norms; LoRA adapters, when
// present, are decayed matrices and the model's own parameters stay frozen.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "model/train/train_options.hpp"

namespace ssmscope::model {

class LanguageModel;
class LoraAdapters;

// Without LoRA, a fine-tuning run trains the parameters of options.blocks only (all when empty).
void freeze_outside_blocks(LanguageModel& model, const std::vector<std::int64_t>& blocks);

struct Optimization {
    std::unique_ptr<torch::optim::AdamW> optimizer;
    std::vector<torch::Tensor> trainable;  // the decayed group first, then the other
    std::int64_t trainable_count = 0;      // values
};

// The parameters that require a gradient (and `lora`'s, when not null) in two AdamW groups.
// Throws InputError when nothing is left to train.
Optimization make_optimizer(LanguageModel& model, const LoraAdapters* lora,
                            const TrainOptions& options);

// The learning rate of every group, set before each step by the schedule.
void set_learning_rate(torch::optim::AdamW& optimizer, double lr);

}  // namespace ssmscope::model
