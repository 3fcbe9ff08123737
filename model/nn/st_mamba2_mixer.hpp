// ST-Mamba-2: Mamba-2's block where each head's scalar A becomes an N×N companion matrix whose
// poles are parametrised to lie in the open left half-plane: N/2 conjugate pairs
// −exp(A_pole_log_re) ± i·A_pole_im. So A is Hurwitz whatever the training does, and with the
// fixed B = e_N the pair (A, B) is controllable by construction; C_t stays selective (per group,
// as in Mamba-2). N free parameters per head; exact ZOH; the poles are known in closed form, so
// the modal path needs no eigenvalue solver.
#pragma once

#include "model/config/model_config.hpp"
#include "model/nn/causal_conv.hpp"
#include "model/nn/companion.hpp"
#include "model/nn/init.hpp"
#include "model/nn/mixer.hpp"
#include "model/nn/rms_norm.hpp"

namespace ssmscope::model {

class StMamba2Mixer : public Mixer {
  public:
    explicit StMamba2Mixer(const ModelConfig& config, Init init = Init::Random);

    torch::Tensor forward(const torch::Tensor& u) override;
    torch::Tensor step(const torch::Tensor& u, LayerCache& cache) override;
    LayerCache new_cache(std::int64_t batch, const torch::TensorOptions& options) const override;

    torch::Tensor poles() const;   // (H, N) complex
    torch::Tensor coeffs() const;  // (H, N) companion coefficients
    void set_dense(bool dense) { dense_ = dense; }

    Linear in_proj{nullptr}, out_proj{nullptr};
    CausalConv1d conv1d{nullptr};
    RMSNorm norm{nullptr};
    torch::Tensor dt_bias;        // (H)
    torch::Tensor A_pole_log_re;  // (H, N/2)
    torch::Tensor A_pole_im;      // (H, N/2)
    torch::Tensor D;              // (H)

  private:
    ModelConfig c_;
    bool dense_ = false;
    std::int64_t e_, n_, h_, p_, g_;
};

}  // namespace ssmscope::model
