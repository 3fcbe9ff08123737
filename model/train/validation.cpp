#include "model/train/validation.hpp"

#include <cmath>

#include <torch/torch.h>

#include "model/nn/language_model.hpp"
#include "model/train/collectives.hpp"
#include "model/train/lora.hpp"
#include "model/train/train_device.hpp"

namespace ssmscope::model {

EvalEvent evaluate_validation(LanguageModel& model, LoraAdapters* lora,
                              const std::vector<std::int64_t>& v, std::int64_t vocab,
                              const TrainOptions& options, torch::Device device,
                              Collectives& ranks) {
    torch::NoGradGuard no_grad;
    model.eval();
    if (lora)
        lora->refresh();
    const std::int64_t len = options.seq_len;
    const std::int64_t usable =
        std::min<std::int64_t>(options.eval_tokens, static_cast<std::int64_t>(v.size()) - 1);
    const std::int64_t windows = std::max<std::int64_t>(1, usable / len);
    const auto [first, end] = ranks.share_of(windows);
    double nll = 0;
    for (std::int64_t w0 = first; w0 < end; w0 += options.batch) {
        const std::int64_t rows = std::min(options.batch, end - w0);
        std::vector<std::int64_t> ids;
        for (std::int64_t w = w0; w < w0 + rows; ++w)
            ids.insert(ids.end(), v.begin() + w * len, v.begin() + w * len + len + 1);
        const torch::Tensor batch =
            torch::from_blob(ids.data(), {rows, len + 1}, torch::kInt64).clone().to(device);
        torch::Tensor logits;
        {
            Autocast autocast(device, bf16_autocast(options.precision, device));
            logits = model.forward(batch.slice(1, 0, len));
        }
        nll += torch::nn::functional::cross_entropy(
                   logits.reshape({-1, vocab}).to(torch::kFloat64),
                   batch.slice(1, 1, len + 1).reshape({-1}),
                   torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                   .item<double>();
    }
    model.train();
    nll = ranks.sum(nll);
    EvalEvent e;
    e.tokens = windows * len;
    e.loss = nll / static_cast<double>(e.tokens);
    e.perplexity = std::exp(e.loss);
    return e;
}

}  // namespace ssmscope::model
