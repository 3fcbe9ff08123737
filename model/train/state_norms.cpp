#include "model/train/state_norms.hpp"

#include <cmath>

#include <torch/torch.h>

#include "model/nn/language_model.hpp"

namespace ssmscope::model {

StateNorms state_norms(LanguageModel& model, const std::vector<std::int64_t>& tokens) {
    torch::NoGradGuard no_grad;
    const auto n_layer = static_cast<std::size_t>(model.config().n_layer);
    StateNorms out{std::vector<double>(n_layer, 0.0), std::vector<std::int64_t>(n_layer, -1)};
    LanguageModel::Cache cache = model.new_cache(1);
    for (std::size_t t = 0; t < tokens.size(); ++t) {
        model.step(torch::tensor({tokens[t]}, torch::kInt64), cache);
        for (std::size_t l = 0; l < n_layer; ++l) {
            // Every cache's state is (batch, units, ...): one norm per unit.
            const torch::Tensor& h = cache.layers[l].ssm;
            const double norm =
                h[0].reshape({h.size(1), -1}).to(torch::kDouble).norm(2, {1}).max().item<double>();
            if (out.first_non_finite[l] >= 0)
                continue;
            if (!std::isfinite(norm)) {
                out.first_non_finite[l] = static_cast<std::int64_t>(t);
                out.max_norm[l] = norm;
            } else {
                out.max_norm[l] = std::max(out.max_norm[l], norm);
            }
        }
    }
    return out;
}

}  // namespace ssmscope::model
