// Which trainable tensors a run's first step actually reaches (train_events.hpp GradientReport):
// the check that a LoRA adapter trains at all. An adapter's B starts at zero, so in step 1 its A
// legitimately gets an all-zero gradient (∂L/∂A = (α/r)·Bᵀ·∂L/∂W = 0); an adapter is on the
// autograd path when B's gradient is non-zero or A's is. One whose factors both have undefined
// or all-zero gradients is bypassed: a kernel that reads the base weight instead of the adapted
// one (the public report: LoRA on Mamba-2's out_proj under a fused kernel) trains nothing,
// silently.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "model/train/train_events.hpp"

namespace ssmscope::model {

class LanguageModel;
class LoraAdapters;

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// The tensors a run trains, by name: the model's parameters that require a gradient (state-dict
// names), then every adapter's "<module>.lora_A" and "<module>.lora_B".
NamedTensors trainable_tensors(LanguageModel& model, const LoraAdapters* lora);

// Reads the gradients that the backward left in `trainable` (before the optimizer step).
GradientReport gradient_report(const NamedTensors& trainable, const LoraAdapters* lora);

// One "lora_off_path" warning per adapter the report lists.
std::vector<WarningEvent> off_path_warnings(const GradientReport& report);

}  // namespace ssmscope::model
