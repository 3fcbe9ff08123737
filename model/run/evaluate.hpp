// Perplexity of a model on a token sequence, in windows of `context` tokens: each window starts
// from a zero state and predicts its tokens from the ones before them, so every token but the
// first is predicted once.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "model/nn/language_model.hpp"

namespace ssmscope::model {

struct EvalResult {
    std::int64_t predicted = 0;  // tokens scored
    double nll_mean = 0;         // nats per token
    double perplexity = 0;       // exp(nll_mean)
    double seconds = 0;
    double tokens_per_second = 0;
};

// Called after each window with (tokens done, total); returning false cancels (throws
// std::runtime_error("cancelled")).
using Progress = std::function<bool(std::int64_t done, std::int64_t total)>;

// Needs at least two tokens (InputError otherwise).
EvalResult evaluate(LanguageModel& model, const std::vector<std::int64_t>& tokens,
                    std::int64_t context, const Progress& progress = {});

}  // namespace ssmscope::model
