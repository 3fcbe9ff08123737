// Validation loss and perplexity of a run: the first options.eval_tokens tokens of the
// validation part in windows of seq_len, each rank scoring its share of the windows and the
// negative log-likelihoods summed over the ranks.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "model/train/train_events.hpp"
#include "model/train/train_options.hpp"

namespace ssmscope::model {

class Collectives;
class LanguageModel;
class LoraAdapters;

EvalEvent evaluate_validation(LanguageModel& model, LoraAdapters* lora,
                              const std::vector<std::int64_t>& validation,
                              std::int64_t padded_vocab, const TrainOptions& options,
                              torch::Device device, Collectives& ranks);

}  // namespace ssmscope::model
