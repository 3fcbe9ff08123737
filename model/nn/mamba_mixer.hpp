// Mamba-1 (S6) mixer with the parameter names of the reference implementation:
// in_proj, conv1d, x_proj, dt_proj, A_log, D, out_proj.
#pragma once

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "model/config/model_config.hpp"
#include "model/nn/mixer.hpp"

namespace ssmscope::model {

class MambaMixer : public Mixer {
  public:
    explicit MambaMixer(const ModelConfig& config);

    torch::Tensor forward(const torch::Tensor& u) override;
    torch::Tensor step(const torch::Tensor& u, LayerCache& cache) override;
    LayerCache new_cache(std::int64_t batch, const torch::TensorOptions& options) const override;

    // The continuous state matrix, diagonal: A = −exp(A_log), (E, N).
    torch::Tensor A() const;

    torch::nn::Linear in_proj{nullptr}, x_proj{nullptr}, dt_proj{nullptr}, out_proj{nullptr};
    torch::nn::Conv1d conv1d{nullptr};
    torch::Tensor A_log;  // (E, N)
    torch::Tensor D;      // (E)

  private:
    std::int64_t e_, n_, r_;
};

}  // namespace ssmscope::model
