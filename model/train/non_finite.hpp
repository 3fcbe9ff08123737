// What a run reports when its loss or gradient norm stops being finite: the value as text and
// where the non-finite numbers first appear, so that the message points at a cause.
#pragma once

#include <string>

#include <torch/types.h>

namespace ssmscope::model {

class LanguageModel;
class LoraAdapters;

std::string finite_or_not(double v);  // "NaN", "+Inf", "-Inf" or the number

// The first parameter or LoRA adapter holding NaN or Inf, else the first layer after which the
// residual stream of `inputs` becomes non-finite, else that the logits or the loss overflowed.
std::string locate_non_finite(LanguageModel& model, const LoraAdapters* lora,
                              const torch::Tensor& inputs);

}  // namespace ssmscope::model
