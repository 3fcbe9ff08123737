#include "model/nn/st_mamba2_mixer.hpp"

#include <cmath>
#include <numbers>

#include <torch/torch.h>

#include "model/nn/causal_conv.hpp"
#include "model/nn/heads.hpp"
#include "model/nn/init.hpp"

namespace ssmscope::model {

StMamba2Mixer::StMamba2Mixer(const ModelConfig& c, Init init)
    : c_(c), e_(c.d_inner()), n_(c.d_state), h_(c.nheads()), p_(c.headdim), g_(c.ngroups) {
    const std::int64_t dm = c.d_model, k = c.d_conv, conv_dim = e_ + g_ * n_;
    in_proj = register_module("in_proj", Linear(dm, 2 * e_ + g_ * n_ + h_, c.proj_bias, init));
    conv1d = register_module("conv1d", CausalConv1d(conv_dim, k, c.conv_bias, init));
    dt_bias = register_parameter("dt_bias", dt_bias_init(h_, c));
    // Butterworth spacing on a circle of radius r_h: pole pair k at r·(−sin θ_k ± i cos θ_k),
    // θ_k = π(2k + 1)/(2N). Evenly spread poles keep the Vandermonde basis well conditioned.
    const torch::Tensor radius = torch::empty({h_, 1}).uniform_(c.pole_radius_lo, c.pole_radius_hi);
    const torch::Tensor theta = (2 * torch::arange(n_ / 2, torch::kFloat32) + 1) *
                                (std::numbers::pi / (2.0 * static_cast<double>(n_)));
    A_pole_log_re = register_parameter("A_pole_log_re", torch::log(radius * torch::sin(theta)));
    A_pole_im = register_parameter("A_pole_im", radius * torch::cos(theta));
    D = register_parameter("D", torch::ones({h_}));
    norm = register_module("norm", RMSNorm(e_, c.norm_eps));
    out_proj = register_module("out_proj", Linear(e_, dm, c.proj_bias, init));
    if (init == Init::Random) {
        init_out_proj(out_proj, c, {&in_proj, &out_proj});
    }
}

torch::Tensor StMamba2Mixer::poles() const {
    const torch::Tensor re = -torch::exp(A_pole_log_re);
    return torch::cat({torch::complex(re, A_pole_im), torch::complex(re, -A_pole_im)}, -1);
}

torch::Tensor StMamba2Mixer::coeffs() const {
    return poly_from_pole_pairs(torch::exp(A_pole_log_re), A_pole_im);
}

torch::Tensor StMamba2Mixer::forward(const torch::Tensor& u) {
    const std::int64_t b = u.size(0), l = u.size(1), gn = g_ * n_;
    const auto parts = in_proj(u).split_with_sizes({e_, e_ + gn, h_}, -1);  // z, xC, dt
    const torch::Tensor xc = torch::silu(causal_conv(parts[1], conv1d->weight, conv1d->bias));
    const auto xs = xc.split_with_sizes({e_, gn}, -1);
    const torch::Tensor x = xs[0].reshape({b, l, h_, p_});
    const torch::Tensor delta = head_delta(parts[2], dt_bias, c_);
    if (record_)
        *record_ = {parts[2] + dt_bias, delta, {}, xs[1].reshape({b, l, g_, n_})};
    const CompanionScan scan{CompanionForm::Controllable, coeffs(), delta, x,
                             xs[1].reshape({b, l, g_, n_})};
    const torch::Tensor ssm =
        dense_ ? companion_scan_dense(scan)
               : companion_scan(scan, [&] { return modal_basis_from_poles(poles()); });
    const torch::Tensor y = ssm + x * D.reshape({h_, 1});
    return out_proj(norm->forward_gated(y.reshape({b, l, e_}), parts[0], e_ / c_.ngroups));
}

torch::Tensor StMamba2Mixer::step(const torch::Tensor& u, LayerCache& cache) {
    const std::int64_t b = u.size(0), gn = g_ * n_;
    const auto parts = in_proj(u).split_with_sizes({e_, e_ + gn, h_}, -1);
    const torch::Tensor xc =
        torch::silu(causal_conv_step(parts[1], cache.conv, conv1d->weight, conv1d->bias));
    const auto xs = xc.split_with_sizes({e_, gn}, -1);
    const torch::Tensor x = xs[0].reshape({b, h_, p_});
    const torch::Tensor y =
        companion_step(CompanionForm::Controllable, coeffs(), head_delta(parts[2], dt_bias, c_), x,
                       groups_to_heads(xs[1], g_, n_, h_), cache.ssm) +
        x * D.reshape({h_, 1});
    return out_proj(norm->forward_gated(y.reshape({b, e_}), parts[0], e_ / c_.ngroups));
}

LayerCache StMamba2Mixer::new_cache(std::int64_t batch, const torch::TensorOptions& options) const {
    return {torch::zeros({batch, e_ + g_ * n_, c_.d_conv}, options),
            torch::zeros({batch, h_, p_, n_}, options)};
}

}  // namespace ssmscope::model
