#include "model/train/optimizer_setup.hpp"

#include <string>

#include "base/error.hpp"
#include "model/nn/language_model.hpp"
#include "model/train/blocks.hpp"
#include "model/train/lora.hpp"

namespace ssmscope::model {

namespace {

bool decays(const std::string& name, const torch::Tensor& p) {
    return p.dim() >= 2 && name.find(".A_") == std::string::npos;
}

}  // namespace

void freeze_outside_blocks(LanguageModel& model, const std::vector<std::int64_t>& blocks) {
    if (blocks.empty())
        return;
    for (auto& p : model.named_parameters())
        p.value().set_requires_grad(in_blocks(p.key(), blocks));
}

Optimization make_optimizer(LanguageModel& model, const LoraAdapters* lora,
                            const TrainOptions& options) {
    std::vector<torch::Tensor> decay, no_decay;
    for (const auto& p : model.named_parameters()) {
        if (p.value().requires_grad())
            (decays(p.key(), p.value()) ? decay : no_decay).push_back(p.value());
    }
    if (lora)
        for (const torch::Tensor& t : lora->parameters())
            decay.push_back(t);
    Optimization o;
    o.trainable = decay;
    o.trainable.insert(o.trainable.end(), no_decay.begin(), no_decay.end());
    for (const auto& t : o.trainable)
        o.trainable_count += t.numel();
    if (o.trainable.empty())
        throw InputError("training options: no parameter is left to train");

    torch::optim::AdamWOptions adamw(options.lr);
    adamw.betas({options.beta1, options.beta2}).eps(options.eps).weight_decay(options.weight_decay);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(adamw));
    auto plain = std::make_unique<torch::optim::AdamWOptions>(adamw);
    plain->weight_decay(0.0);
    groups.emplace_back(no_decay, std::move(plain));
    o.optimizer = std::make_unique<torch::optim::AdamW>(std::move(groups), adamw);
    return o;
}

void set_learning_rate(torch::optim::AdamW& optimizer, double lr) {
    for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
}

}  // namespace ssmscope::model
