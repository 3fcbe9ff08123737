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
    // A shell whose parameters take the training model's tensors at each snapshot: built without
    // drawing its matrices (Init::None), and the small draws that remain must not move the
    // training run's generator.
    const torch::Tensor rng = at::detail::getDefaultCPUGenerator().get_state();
    scratch_ = std::make_shared<LanguageModel>(config, Init::None);
    at::Generator(at::detail::getDefaultCPUGenerator()).set_state(rng);
    scratch_->eval();
}

StabilityProbe::~StabilityProbe() = default;

namespace {

// Gives the shell's parameters the training model's tensors while alive, and lets go of them
// when it ends: on the CPU the very tensors (the probe converts one block at a time to its
// precision and gives each block its own tensors back), from a GPU a CPU copy in their type.
class Borrowed {
  public:
    Borrowed(LanguageModel& shell, LanguageModel& model) : shell_(shell) {
        torch::NoGradGuard no_grad;
        auto dst = shell_.named_parameters();
        for (const auto& p : model.named_parameters())
            dst[p.key()].set_data(p.value().detach().to(torch::kCPU));
    }
    ~Borrowed() {
        for (const auto& p : shell_.parameters())
            p.set_data(torch::empty({0}));
    }
    Borrowed(const Borrowed&) = delete;
    Borrowed& operator=(const Borrowed&) = delete;

  private:
    LanguageModel& shell_;
};

}  // namespace

StabilitySnapshot StabilityProbe::take(LanguageModel& model) {
    const auto start = std::chrono::steady_clock::now();
    const Borrowed borrowed(*scratch_, model);
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
