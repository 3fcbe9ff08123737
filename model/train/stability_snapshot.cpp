#include "model/train/stability_snapshot.hpp"

#include <chrono>

#include <torch/torch.h>

#include "analysis/layer_lyapunov.hpp"
#include "analysis/layer_ranks.hpp"
#include "analysis/layer_stability.hpp"
#include "model/nn/language_model.hpp"
#include "model/probe/probe.hpp"

namespace ssmscope::model {

StabilityProbe::StabilityProbe(const ModelConfig& config, std::vector<std::int64_t> tokens)
    : tokens_(std::move(tokens)) {
    // The copy's own random initialisation must not move the training run's generator.
    const torch::Tensor rng = at::detail::getDefaultCPUGenerator().get_state();
    scratch_ = std::make_shared<LanguageModel>(config);
    at::Generator(at::detail::getDefaultCPUGenerator()).set_state(rng);
    scratch_->to(torch::kFloat64);
    scratch_->eval();
}

StabilityProbe::~StabilityProbe() = default;

StabilitySnapshot StabilityProbe::take(LanguageModel& model) {
    const auto start = std::chrono::steady_clock::now();
    {
        torch::NoGradGuard no_grad;
        auto dst = scratch_->named_parameters();
        for (const auto& p : model.named_parameters())
            dst[p.key()].copy_(p.value().detach().to(torch::kCPU, torch::kFloat64));
    }
    ProbeOptions options;
    options.perturbations = false;
    const analysis::ProbeTrace trace = probe(*scratch_, tokens_, options);
    StabilitySnapshot s;
    for (const analysis::SelectiveLayer& layer : trace.layers) {
        LayerStabilitySnapshot l;
        l.spectral_abscissa = analysis::layer_stability(layer).worst_abscissa;
        l.largest_lyapunov = analysis::layer_lyapunov(layer).largest;
        analysis::RankOptions ranks;
        ranks.cross_check_pairs = 0;
        l.ctrb_fraction = analysis::layer_ranks(layer, ranks).ctrb.fraction_full;
        s.layers.push_back(l);
    }
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return s;
}

}  // namespace ssmscope::model
