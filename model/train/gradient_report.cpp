#include "model/train/gradient_report.hpp"

#include <torch/torch.h>

#include "base/str.hpp"
#include "model/nn/language_model.hpp"
#include "model/train/lora.hpp"

namespace ssmscope::model {

namespace {

bool has_nonzero_gradient(const torch::Tensor& t) {
    const torch::Tensor& g = t.grad();
    return g.defined() && g.ne(0).any().item<bool>();
}

}  // namespace

NamedTensors trainable_tensors(LanguageModel& model, const LoraAdapters* lora) {
    NamedTensors out;
    for (const auto& p : model.named_parameters())
        if (p.value().requires_grad())
            out.emplace_back(p.key(), p.value());
    if (lora) {
        for (const auto& a : lora->adapters()) {
            out.emplace_back(a.name + ".lora_A", a.A);
            out.emplace_back(a.name + ".lora_B", a.B);
        }
    }
    return out;
}

GradientReport gradient_report(const NamedTensors& trainable, const LoraAdapters* lora) {
    torch::NoGradGuard no_grad;
    GradientReport r;
    for (const auto& [name, t] : trainable)
        (has_nonzero_gradient(t) ? r.nonzero : r.zero).push_back(name);
    if (lora) {
        for (const auto& a : lora->adapters())
            if (!has_nonzero_gradient(a.A) && !has_nonzero_gradient(a.B))
                r.adapters_off_path.push_back(a.name);
    }
    return r;
}

std::vector<WarningEvent> off_path_warnings(const GradientReport& report) {
    std::vector<WarningEvent> out;
    for (const std::string& name : report.adapters_off_path) {
        out.push_back({report.step, "lora_off_path", -1,
                       str("the LoRA adapter of ", name, " received no gradient in step ",
                           report.step, " (both lora_A and lora_B are zero or undefined): the ",
                           "forward does not use it, and it will not train")});
    }
    return out;
}

}  // namespace ssmscope::model
