// The size of every layer's SSM state along a probe text, for the training stability watch: the
// probe (model/probe) records Δ_t, b_t, c_t but no states, so the model's own recurrence (its
// step(), one token at a time, in the model's type) runs the text and each layer's state is
// measured after every token. A "unit" is a channel (N states) or a head (P x N states).
#pragma once

#include <cstdint>
#include <vector>

namespace ssmscope::model {

class LanguageModel;

struct StateNorms {
    // Per layer: max over tokens and units of ||h_t(unit)||_2; once a state is not finite, that
    // non-finite norm (it no longer has a size).
    std::vector<double> max_norm;
    // Per layer: the first probe position whose state holds NaN or Inf, or -1.
    std::vector<std::int64_t> first_non_finite;
};

// `model` on the CPU; its parameters are read, not changed.
StateNorms state_norms(LanguageModel& model, const std::vector<std::int64_t>& tokens);

}  // namespace ssmscope::model
