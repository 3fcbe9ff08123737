// A Mamba-family language model: embedding, n_layer prenorm residual blocks
// (h ← h + mixer(RMSNorm(h))), final RMSNorm, LM head (tied to the embedding or not).
// Parameter names are the Hugging Face ones (backbone.embeddings.weight,
// backbone.layers.{i}.norm.weight, backbone.layers.{i}.mixer.*, backbone.norm_f.weight,
// lm_head.weight), so named_parameters() is the checkpoint's state dict.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>

#include "model/config/model_config.hpp"
#include "model/nn/embedding.hpp"
#include "model/nn/init.hpp"
#include "model/nn/linear.hpp"
#include "model/nn/mixer.hpp"
#include "model/nn/rms_norm.hpp"

namespace ssmscope::model {

class Block : public torch::nn::Module {
  public:
    Block(const ModelConfig& config, Init init);
    RMSNorm norm{nullptr};
    std::shared_ptr<Mixer> mixer;
};

class Backbone : public torch::nn::Module {
  public:
    Backbone(const ModelConfig& config, Init init);
    Embedding embeddings{nullptr};
    std::vector<std::shared_ptr<Block>> layers;
    RMSNorm norm_f{nullptr};
};

std::shared_ptr<Mixer> make_mixer(const ModelConfig& config, Init init = Init::Random);

class LanguageModel : public torch::nn::Module {
  public:
    // Init::None leaves the weight matrices unwritten, for the loader, which replaces them all.
    explicit LanguageModel(const ModelConfig& config, Init init = Init::Random);

    // tokens: (batch, length) int64 → logits (batch, length, vocab). When `hidden` is given it
    // receives the residual stream entering each layer and after the last one (n_layer + 1
    // tensors of (batch, length, d_model)).
    torch::Tensor forward(const torch::Tensor& tokens,
                          std::vector<torch::Tensor>* hidden = nullptr);
    // The same from the input embeddings (batch, length, d_model), e.g. perturbed ones.
    torch::Tensor forward_embedded(torch::Tensor h, std::vector<torch::Tensor>* hidden = nullptr);
    // The residual stream after the last layer, without the final norm and the LM head.
    torch::Tensor backbone_forward(torch::Tensor h, std::vector<torch::Tensor>* hidden = nullptr);

    struct Cache {
        std::vector<LayerCache> layers;
    };
    Cache new_cache(std::int64_t batch) const;
    // token: (batch) int64, the next token of each sequence → logits (batch, vocab).
    torch::Tensor step(const torch::Tensor& token, Cache& cache);

    const ModelConfig& config() const { return config_; }
    Mixer& mixer(std::int64_t layer) {
        return *backbone->layers.at(static_cast<std::size_t>(layer))->mixer;
    }
    torch::Tensor lm_head_weight() const;
    std::int64_t parameter_count() const;

    std::shared_ptr<Backbone> backbone;
    Linear lm_head{nullptr};  // only when untied

  private:
    torch::Tensor logits(const torch::Tensor& h) const;
    ModelConfig config_;
};

}  // namespace ssmscope::model
