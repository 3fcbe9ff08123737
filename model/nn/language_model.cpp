#include "model/nn/language_model.hpp"

#include <torch/torch.h>

#include "model/nn/mamba2_mixer.hpp"
#include "model/nn/mamba_mixer.hpp"
#include "model/nn/sparse_mixer.hpp"
#include "model/nn/st_mamba2_mixer.hpp"

namespace ssmscope::model {

std::shared_ptr<Mixer> make_mixer(const ModelConfig& c, Init init) {
    switch (c.arch) {
        case Arch::Mamba:
            return std::make_shared<MambaMixer>(c, init);
        case Arch::Mamba2:
            return std::make_shared<Mamba2Mixer>(c, init);
        case Arch::ScMamba:
            return std::make_shared<SparseMixer>(c, CompanionForm::Controllable, init);
        case Arch::SoMamba:
            return std::make_shared<SparseMixer>(c, CompanionForm::Observable, init);
        case Arch::StMamba2:
            return std::make_shared<StMamba2Mixer>(c, init);
    }
    return nullptr;
}

Block::Block(const ModelConfig& c, Init init) {
    norm = register_module("norm", RMSNorm(c.d_model, c.norm_eps));
    mixer = register_module("mixer", make_mixer(c, init));
}

Backbone::Backbone(const ModelConfig& c, Init init) {
    embeddings = register_module("embeddings", Embedding(c.padded_vocab(), c.d_model, init));
    torch::nn::ModuleList list;
    for (std::int64_t i = 0; i < c.n_layer; ++i) {
        layers.push_back(std::make_shared<Block>(c, init));
        list->push_back(layers.back());
    }
    register_module("layers", list);
    norm_f = register_module("norm_f", RMSNorm(c.d_model, c.norm_eps));
}

LanguageModel::LanguageModel(const ModelConfig& c, Init init) : config_(c) {
    backbone = register_module("backbone", std::make_shared<Backbone>(c, init));
    if (!c.tie_embeddings) {
        lm_head =
            register_module("lm_head", Linear(c.d_model, c.padded_vocab(), false, Init::None));
        if (init == Init::Random) {
            torch::NoGradGuard no_grad;
            lm_head->weight.normal_(0.0, 0.02);
        }
    }
}

torch::Tensor LanguageModel::lm_head_weight() const {
    return lm_head ? lm_head->weight : backbone->embeddings->weight;
}

torch::Tensor LanguageModel::logits(const torch::Tensor& h) const {
    return torch::matmul(backbone->norm_f(h), lm_head_weight().t());
}

torch::Tensor LanguageModel::forward(const torch::Tensor& tokens,
                                     std::vector<torch::Tensor>* hidden) {
    return forward_embedded(backbone->embeddings(tokens), hidden);
}

torch::Tensor LanguageModel::forward_embedded(torch::Tensor h, std::vector<torch::Tensor>* hidden) {
    return logits(backbone_forward(std::move(h), hidden));
}

torch::Tensor LanguageModel::backbone_forward(torch::Tensor h, std::vector<torch::Tensor>* hidden) {
    for (const auto& block : backbone->layers) {
        if (hidden)
            hidden->push_back(h);
        h = h + block->mixer->forward(block->norm(h));
    }
    if (hidden)
        hidden->push_back(h);
    return h;
}

LanguageModel::Cache LanguageModel::new_cache(std::int64_t batch) const {
    Cache cache;
    const auto options = backbone->embeddings->weight.options().requires_grad(false);
    for (const auto& block : backbone->layers) {
        cache.layers.push_back(block->mixer->new_cache(batch, options));
    }
    return cache;
}

torch::Tensor LanguageModel::step(const torch::Tensor& token, Cache& cache) {
    torch::Tensor h = backbone->embeddings(token);
    for (std::size_t i = 0; i < backbone->layers.size(); ++i) {
        const auto& block = backbone->layers[i];
        h = h + block->mixer->step(block->norm(h), cache.layers[i]);
    }
    return logits(h);
}

std::int64_t LanguageModel::parameter_count() const {
    std::int64_t n = 0;
    for (const auto& p : parameters())
        n += p.numel();
    return n;
}

}  // namespace ssmscope::model
