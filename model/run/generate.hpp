// Text generation through the recurrent path: the prompt is fed one token at a time into the
// state cache, then tokens are drawn greedily (temperature 0) or from softmax(logits / T),
// optionally restricted to the top k.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "model/nn/language_model.hpp"

namespace ssmscope::model {

struct GenerateOptions {
    std::int64_t max_tokens = 64;
    double temperature = 0.0;  // 0: greedy
    std::int64_t top_k = 0;    // 0: the whole vocabulary
    std::uint64_t seed = 0;
    std::optional<std::int64_t> stop_token;  // e.g. end-of-text
    std::int64_t vocab_limit = 0;            // > 0: never draw ids at or above it (padding rows)
};

struct GenerateResult {
    std::vector<std::int64_t> tokens;  // generated, without the prompt
    double seconds = 0;
};

// on_token is called with each new token; returning false stops (cancels) generation.
GenerateResult generate(LanguageModel& model, const std::vector<std::int64_t>& prompt,
                        const GenerateOptions& options,
                        const std::function<bool(std::int64_t)>& on_token = {});

}  // namespace ssmscope::model
