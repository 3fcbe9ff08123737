// SC-Mamba and SO-Mamba mixers: Mamba-1's block with a companion-form A per channel.
//  SC (controllable canonical form): A = companion(a), B = e_N fixed, x_proj yields Δ and C_t.
//  SO (observable canonical form):   A = companion(a)ᵀ, C = e_Nᵀ fixed, x_proj yields Δ and B_t.
// N free coefficients per channel (A_coeffs[d, k] = a_k, see companion.hpp for the order),
// initialised uniformly on coeff_init_range; D starts at 0 and is learnable. Discretisation is
// exact ZOH for both A and B.
#pragma once

#include "model/config/model_config.hpp"
#include "model/nn/causal_conv.hpp"
#include "model/nn/companion.hpp"
#include "model/nn/init.hpp"
#include "model/nn/mixer.hpp"

namespace ssmscope::model {

class SparseMixer : public Mixer {
  public:
    SparseMixer(const ModelConfig& config, CompanionForm form, Init init = Init::Random);

    torch::Tensor forward(const torch::Tensor& u) override;
    torch::Tensor step(const torch::Tensor& u, LayerCache& cache) override;
    LayerCache new_cache(std::int64_t batch, const torch::TensorOptions& options) const override;

    CompanionForm form() const { return form_; }
    // The reference path on demand (tests compare it with the modal forward).
    void set_dense(bool dense) { dense_ = dense; }

    Linear in_proj{nullptr}, x_proj{nullptr}, dt_proj{nullptr}, out_proj{nullptr};
    CausalConv1d conv1d{nullptr};
    torch::Tensor A_coeffs;  // (E, N)
    torch::Tensor D;         // (E)

  private:
    // The selective vector (C_t or B_t) of every channel: (..., N) → (..., E, N).
    torch::Tensor per_channel(const torch::Tensor& sel) const;

    CompanionForm form_;
    bool dense_ = false;
    std::int64_t e_, n_, r_, k_;
};

}  // namespace ssmscope::model
