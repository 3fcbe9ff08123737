#include "model/train/non_finite.hpp"

#include <cmath>

#include <torch/torch.h>

#include "base/str.hpp"
#include "model/nn/language_model.hpp"
#include "model/train/lora.hpp"

namespace ssmscope::model {

namespace {

bool all_finite(const torch::Tensor& t) {
    return torch::isfinite(t).all().item<bool>();
}

}  // namespace

std::string finite_or_not(double v) {
    return std::isnan(v) ? std::string("NaN") : std::isinf(v) ? (v > 0 ? "+Inf" : "-Inf") : str(v);
}

std::string locate_non_finite(LanguageModel& model, const LoraAdapters* lora,
                              const torch::Tensor& inputs) {
    torch::NoGradGuard no_grad;
    for (const auto& p : model.named_parameters())
        if (!all_finite(p.value()))
            return str("parameter ", p.key(), " holds NaN or Inf");
    if (lora)
        for (const auto& a : lora->adapters())
            if (!all_finite(a.A) || !all_finite(a.B))
                return str("the LoRA adapter of ", a.name, " holds NaN or Inf");
    std::vector<torch::Tensor> hidden;
    model.forward(inputs, &hidden);
    for (std::size_t i = 0; i < hidden.size(); ++i) {
        if (!all_finite(hidden[i])) {
            return i == 0 ? std::string("the embeddings of the batch are not finite")
                          : str("the residual stream first becomes non-finite after layer ", i - 1);
        }
    }
    return "every weight and hidden state is finite: the logits or the loss overflowed";
}

}  // namespace ssmscope::model
