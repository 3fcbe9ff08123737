#include "model/run/generate.hpp"

#include <chrono>
#include <limits>

#include <torch/torch.h>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

namespace {

std::int64_t pick(torch::Tensor logits, const GenerateOptions& o, torch::Generator& gen) {
    if (o.vocab_limit > 0 && o.vocab_limit < logits.size(0)) {
        logits = logits.slice(0, 0, o.vocab_limit);
    }
    if (o.temperature <= 0.0)
        return logits.argmax().item<std::int64_t>();
    torch::Tensor scaled = logits.to(torch::kFloat64) / o.temperature;
    if (o.top_k > 0 && o.top_k < scaled.size(0)) {
        const torch::Tensor kth = std::get<0>(scaled.topk(o.top_k)).select(0, o.top_k - 1);
        scaled = scaled.masked_fill(scaled < kth, -std::numeric_limits<double>::infinity());
    }
    return torch::multinomial(torch::softmax(scaled, 0), 1, false, gen).item<std::int64_t>();
}

}  // namespace

GenerateResult generate(LanguageModel& model, const std::vector<std::int64_t>& prompt,
                        const GenerateOptions& o,
                        const std::function<bool(std::int64_t)>& on_token) {
    if (prompt.empty())
        throw InputError("generation needs a prompt of at least one token");
    if (o.max_tokens < 0)
        throw InputError("--max-tokens must not be negative");
    if (o.temperature < 0) {
        throw InputError(
            str("--temperature must be >= 0, got ", o.temperature));
    }
    torch::NoGradGuard no_grad;
    model.eval();
    torch::Generator gen = at::detail::createCPUGenerator(o.seed);
    const auto start = std::chrono::steady_clock::now();
    auto cache = model.new_cache(1);
    torch::Tensor logits;
    for (std::int64_t t : prompt)
        logits = model.step(torch::tensor({t}), cache).squeeze(0);
    GenerateResult r;
    while (static_cast<std::int64_t>(r.tokens.size()) < o.max_tokens) {
        const std::int64_t next = pick(logits, o, gen);
        r.tokens.push_back(next);
        if (on_token && !on_token(next))
            break;
        if (o.stop_token && next == *o.stop_token)
            break;
        logits = model.step(torch::tensor({next}), cache).squeeze(0);
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

}  // namespace ssmscope::model
