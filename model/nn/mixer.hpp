// The sequence mixer of one block. Every member of the family offers the parallel forward used in
// training and a recurrent one-token step that carries a cache, used for generation; the two must
// agree (tests/model).
#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/types.h>

namespace ssmscope::model {

// One layer's generation state for a batch of sequences.
struct LayerCache {
    torch::Tensor conv;  // (batch, conv channels, d_conv): the last d_conv inputs of the conv
    torch::Tensor ssm;   // the SSM state; shape depends on the mixer
};

// The selective parameters of one forward pass, kept for the analysis of a probe text
// (model/probe). A "unit" is a channel (Mamba, SC-, SO-Mamba) or a head (Mamba-2, ST-Mamba-2).
struct MixerRecord {
    torch::Tensor delta_raw;  // (batch, length, units): the step before its softplus
    torch::Tensor delta;      // (batch, length, units)
    torch::Tensor B, C;       // (batch, length, groups, N); undefined when fixed to e_N
};

class Mixer : public torch::nn::Module {
  public:
    // While set, forward() stores its selective parameters in *record.
    void record_into(MixerRecord* record) { record_ = record; }

    // u: (batch, length, d_model) → (batch, length, d_model).
    virtual torch::Tensor forward(const torch::Tensor& u) = 0;
    // u: (batch, d_model), the next token of each sequence; updates `cache`.
    virtual torch::Tensor step(const torch::Tensor& u, LayerCache& cache) = 0;
    virtual LayerCache new_cache(std::int64_t batch, const torch::TensorOptions& options) const = 0;

  protected:
    MixerRecord* record_ = nullptr;
};

}  // namespace ssmscope::model
