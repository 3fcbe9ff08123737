// Mamba-2 (SSD) mixer with the parameter names of the reference implementation:
// in_proj, conv1d, dt_bias, A_log, D, norm, out_proj.
#pragma once

#include "model/config/model_config.hpp"
#include "model/nn/causal_conv.hpp"
#include "model/nn/init.hpp"
#include "model/nn/mixer.hpp"
#include "model/nn/rms_norm.hpp"

namespace ssmscope::model {

class Mamba2Mixer : public Mixer {
  public:
    explicit Mamba2Mixer(const ModelConfig& config, Init init = Init::Random);

    torch::Tensor forward(const torch::Tensor& u) override;
    torch::Tensor step(const torch::Tensor& u, LayerCache& cache) override;
    LayerCache new_cache(std::int64_t batch, const torch::TensorOptions& options) const override;

    torch::Tensor A() const;  // one scalar per head: −exp(A_log), (H)

    Linear in_proj{nullptr}, out_proj{nullptr};
    CausalConv1d conv1d{nullptr};
    RMSNorm norm{nullptr};
    torch::Tensor dt_bias;  // (H)
    torch::Tensor A_log;    // (H)
    torch::Tensor D;        // (H), or (E) with D_has_hdim

  private:
    torch::Tensor d_per_head() const;  // (H, 1) or (H, P)

    ModelConfig c_;
    std::int64_t e_, n_, h_, p_, g_;
};

}  // namespace ssmscope::model
