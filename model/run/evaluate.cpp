#include "model/run/evaluate.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>

#include <torch/torch.h>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

EvalResult evaluate(LanguageModel& model, const std::vector<std::int64_t>& tokens,
                    std::int64_t context, const Progress& progress) {
    const auto n = static_cast<std::int64_t>(tokens.size());
    if (n < 2) {
        throw InputError(
            str("perplexity needs at least 2 tokens, the text has ", n));
    }
    if (context < 1)
        throw InputError("--context must be at least 1");
    torch::NoGradGuard no_grad;
    model.eval();
    // On the model's device: a model moved to CUDA is scored there.
    const torch::Tensor all =
        torch::tensor(tokens, torch::kInt64).to(model.lm_head_weight().device());
    const auto start = std::chrono::steady_clock::now();
    double nll = 0;
    EvalResult r;
    for (std::int64_t begin = 0; begin + 1 < n; begin += context) {
        const std::int64_t end = std::min(begin + context, n - 1);  // inputs [begin, end)
        const torch::Tensor inputs = all.slice(0, begin, end).unsqueeze(0);
        const torch::Tensor targets = all.slice(0, begin + 1, end + 1);
        const torch::Tensor logits = model.forward(inputs).squeeze(0).to(torch::kFloat64);
        nll += torch::nll_loss(torch::log_softmax(logits, -1), targets, {}, at::Reduction::Sum)
                   .item<double>();
        r.predicted += end - begin;
        if (progress && !progress(end + 1, n))
            throw std::runtime_error("cancelled");
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.nll_mean = nll / static_cast<double>(r.predicted);
    r.perplexity = std::exp(r.nll_mean);
    r.tokens_per_second = r.seconds > 0 ? static_cast<double>(r.predicted) / r.seconds : 0.0;
    return r;
}

}  // namespace ssmscope::model
