#include "model/train/stability_snapshot.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <tuple>

#include <torch/torch.h>

#include "analysis/layer_lyapunov.hpp"
#include "analysis/layer_ranks.hpp"
#include "analysis/layer_stability.hpp"
#include "model/nn/language_model.hpp"
#include "model/probe/probe.hpp"
#include "model/train/state_norms.hpp"

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

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

// The first row of a matrix holding a non-finite value, or -1.
std::int64_t first_non_finite_row(const analysis::Matrix& m) {
    for (analysis::Index t = 0; t < m.rows(); ++t)
        if (!m.row(t).allFinite())
            return t;
    return -1;
}

bool layer_finite(const analysis::SelectiveLayer& l) {
    const auto all = [](const std::vector<analysis::Matrix>& ms) {
        return std::all_of(ms.begin(), ms.end(), [](const auto& m) { return m.allFinite(); });
    };
    return l.a.allFinite() && l.delta.allFinite() && all(l.B) && all(l.C);
}

// The depth at which the forward meets a parameter: -1 the embeddings, i the block
// backbone.layers.i, n_layer the final norm and the head.
std::int64_t depth_of(const std::string& name, std::int64_t n_layer) {
    const std::string prefix = "backbone.layers.";
    if (name.rfind(prefix, 0) == 0)
        return std::stoll(name.substr(prefix.size()));
    return name.rfind("backbone.embeddings.", 0) == 0 ? -1 : n_layer;
}

// Keeps the site the forward meets first: by depth, then parameters, Δ, state, residual within
// a layer, then by token.
class FirstSite {
  public:
    void offer(std::int64_t depth, int order, NonFiniteSite site) {
        const auto key = std::make_tuple(depth, order, site.token);
        if (!site_ || key < key_) {
            key_ = key;
            site_ = std::move(site);
        }
    }
    std::optional<NonFiniteSite> get() const { return site_; }

  private:
    std::tuple<std::int64_t, int, std::int64_t> key_;
    std::optional<NonFiniteSite> site_;
};

// A non-finite Δ, state or residual stream of `layer` at probe position `token`.
NonFiniteSite site_at(std::int64_t layer, const char* quantity, std::int64_t token) {
    NonFiniteSite s;
    s.layer = layer;
    s.quantity = quantity;
    s.token = token;
    return s;
}

LayerStabilitySnapshot analyse(const analysis::SelectiveLayer& layer) {
    LayerStabilitySnapshot l;
    if (!layer_finite(layer)) {
        // The analyses assume finite matrices; the snapshot's non_finite names the value.
        l.spectral_abscissa = l.largest_lyapunov = l.ctrb_fraction = kNaN;
        l.min_abs_a = l.max_abar = l.delta_min = l.delta_max = kNaN;
        return l;
    }
    const analysis::LayerStability stability = analysis::layer_stability(layer);
    l.spectral_abscissa = stability.worst_abscissa;
    // ρ(exp(Δ A)) = exp(Δ α) at the Δ of the probe closest to (or beyond) 1, unit by unit.
    l.max_abar = stability.worst_radius;
    l.min_abs_a = std::numeric_limits<double>::infinity();
    for (const auto& unit : stability.eigenvalues)
        for (const std::complex<double>& lambda : unit)
            l.min_abs_a = std::min(l.min_abs_a, std::abs(lambda));
    l.delta_min = layer.delta.minCoeff();
    l.delta_max = layer.delta.maxCoeff();
    l.largest_lyapunov = analysis::layer_lyapunov(layer).largest;
    analysis::RankOptions ranks;
    ranks.cross_check_pairs = 0;
    l.ctrb_fraction = analysis::layer_ranks(layer, ranks).ctrb.fraction_full;
    return l;
}

}  // namespace

StabilitySnapshot StabilityProbe::take(LanguageModel& model) {
    const auto start = std::chrono::steady_clock::now();
    const Borrowed borrowed(*scratch_, model);
    const std::int64_t n_layer = scratch_->config().n_layer;
    FirstSite first;
    {
        torch::NoGradGuard no_grad;
        for (const auto& p : scratch_->named_parameters()) {
            if (!torch::isfinite(p.value()).all().item<bool>()) {
                const std::int64_t depth = depth_of(p.key(), n_layer);
                first.offer(depth, 0,
                            {.layer = depth < 0 || depth == n_layer ? -1 : depth,
                             .quantity = "parameters",
                             .parameter = p.key()});
            }
        }
    }
    ProbeOptions options;
    options.perturbations = false;
    const analysis::ProbeTrace trace = probe(*scratch_, tokens_, options);
    // The probe keeps no states; the model's own recurrence gives them, token by token.
    const StateNorms states = state_norms(*scratch_, tokens_);
    StabilitySnapshot s;
    for (const analysis::SelectiveLayer& layer : trace.layers) {
        const auto i = static_cast<std::size_t>(layer.index);
        LayerStabilitySnapshot l = analyse(layer);
        l.max_state_norm = states.max_norm[i];
        s.layers.push_back(l);
        if (const std::int64_t t = first_non_finite_row(layer.delta); t >= 0)
            first.offer(layer.index, 1, site_at(layer.index, "delta", t));
        if (const std::int64_t t = states.first_non_finite[i]; t >= 0)
            first.offer(layer.index, 2, site_at(layer.index, "state", t));
        const analysis::Vector leaving = trace.hidden_norms.col(layer.index + 1);
        for (analysis::Index t = 0; t < leaving.size(); ++t) {
            if (!std::isfinite(leaving(t))) {
                first.offer(layer.index, 3, site_at(layer.index, "residual", t));
                break;
            }
        }
    }
    s.non_finite = first.get();
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return s;
}

}  // namespace ssmscope::model
