// Mamba-1 (S6) mixer with the parameter names of the reference implementation:
// in_proj, conv1d, x_proj, dt_proj, A_log, D, out_proj. With config.mixer_rms_eps set it is
// Falcon-Mamba's mixer, which RMS-normalises the time-step input, B and C after x_proj.
#pragma once

#include <optional>

#include "model/config/model_config.hpp"
#include "model/nn/causal_conv.hpp"
#include "model/nn/init.hpp"
#include "model/nn/mixer.hpp"

namespace ssmscope::model {

class MambaMixer : public Mixer {
  public:
    explicit MambaMixer(const ModelConfig& config, Init init = Init::Random);

    torch::Tensor forward(const torch::Tensor& u) override;
    torch::Tensor step(const torch::Tensor& u, LayerCache& cache) override;
    LayerCache new_cache(std::int64_t batch, const torch::TensorOptions& options) const override;

    // The continuous state matrix, diagonal: A = −exp(A_log), (E, N).
    torch::Tensor A() const;

    Linear in_proj{nullptr}, x_proj{nullptr}, dt_proj{nullptr}, out_proj{nullptr};
    CausalConv1d conv1d{nullptr};
    torch::Tensor A_log;  // (E, N)
    torch::Tensor D;      // (E)

  private:
    struct Selection {
        torch::Tensor dt;    // dt_proj's output, before the softplus
        torch::Tensor B, C;  // (..., N)
    };
    // x_proj's split of the SSM input x (..., E), normalised for Falcon-Mamba.
    Selection select(const torch::Tensor& x);

    std::int64_t e_, n_, r_;
    std::optional<double> rms_eps_;
};

}  // namespace ssmscope::model
