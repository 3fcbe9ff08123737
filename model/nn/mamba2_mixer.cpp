#include "model/nn/mamba2_mixer.hpp"

#include <cmath>

#include <torch/torch.h>

#include "model/nn/causal_conv.hpp"
#include "model/nn/heads.hpp"
#include "model/nn/init.hpp"
#include "model/nn/ssd.hpp"
#include "model/nn/ssd_fused.hpp"

namespace ssmscope::model {

Mamba2Mixer::Mamba2Mixer(const ModelConfig& c, Init init)
    : c_(c), e_(c.d_inner()), n_(c.d_state), h_(c.nheads()), p_(c.headdim), g_(c.ngroups) {
    const std::int64_t dm = c.d_model, k = c.d_conv, conv_dim = e_ + 2 * g_ * n_;
    in_proj = register_module("in_proj", Linear(dm, 2 * e_ + 2 * g_ * n_ + h_, c.proj_bias, init));
    conv1d = register_module("conv1d", CausalConv1d(conv_dim, k, c.conv_bias, init));
    dt_bias = register_parameter("dt_bias", dt_bias_init(h_, c));
    A_log = register_parameter("A_log",
                               torch::log(torch::empty({h_}).uniform_(c.a_init_lo, c.a_init_hi)));
    D = register_parameter("D", torch::ones({c.d_has_hdim ? e_ : h_}));
    norm = register_module("norm", RMSNorm(e_, c.norm_eps));
    out_proj = register_module("out_proj", Linear(e_, dm, c.proj_bias, init));
    if (init == Init::Random) {
        init_out_proj(out_proj, c, {&in_proj, &out_proj});
    }
}

torch::Tensor Mamba2Mixer::A() const {
    return -torch::exp(A_log);
}

torch::Tensor Mamba2Mixer::d_per_head() const {
    return c_.d_has_hdim ? D.reshape({h_, p_}) : D.reshape({h_, 1});
}

torch::Tensor Mamba2Mixer::forward(const torch::Tensor& u) {
    const std::int64_t b = u.size(0), l = u.size(1), gn = g_ * n_;
    const auto parts = in_proj(u).split_with_sizes({e_, e_ + 2 * gn, h_}, -1);  // z, xBC, dt
    const torch::Tensor xbc = torch::silu(causal_conv(parts[1], conv1d->weight, conv1d->bias));
    const auto xs = xbc.split_with_sizes({e_, gn, gn}, -1);
    const torch::Tensor x = xs[0].reshape({b, l, h_, p_});
    const torch::Tensor delta = head_delta(parts[2], dt_bias, c_);
    if (record_) {
        *record_ = {parts[2] + dt_bias, delta, xs[1].reshape({b, l, g_, n_}),
                    xs[2].reshape({b, l, g_, n_})};
    }
    const torch::Tensor ssm =
        fused_ssd_supported(x)
            ? ssd_fused(x, delta, A(), xs[1].reshape({b, l, g_, n_}), xs[2].reshape({b, l, g_, n_}))
            : ssd(x, delta, A(), groups_to_heads(xs[1], g_, n_, h_),
                  groups_to_heads(xs[2], g_, n_, h_), c_.chunk_size);
    const torch::Tensor y = ssm + x * d_per_head();
    return out_proj(norm->forward_gated(y.reshape({b, l, e_}), parts[0], e_ / c_.ngroups));
}

torch::Tensor Mamba2Mixer::step(const torch::Tensor& u, LayerCache& cache) {
    const std::int64_t b = u.size(0), gn = g_ * n_;
    const auto parts = in_proj(u).split_with_sizes({e_, e_ + 2 * gn, h_}, -1);
    const torch::Tensor xbc =
        torch::silu(causal_conv_step(parts[1], cache.conv, conv1d->weight, conv1d->bias));
    const auto xs = xbc.split_with_sizes({e_, gn, gn}, -1);
    const torch::Tensor x = xs[0].reshape({b, h_, p_});
    const torch::Tensor Bh = groups_to_heads(xs[1], g_, n_, h_),
                        Ch = groups_to_heads(xs[2], g_, n_, h_);  // (b, H, N)
    const torch::Tensor d = head_delta(parts[2], dt_bias, c_);    // (b, H)
    const torch::Tensor decay = torch::exp(d * A()).reshape({b, h_, 1, 1});
    cache.ssm = cache.ssm * decay + (d.unsqueeze(-1) * x).unsqueeze(-1) * Bh.unsqueeze(2);
    const torch::Tensor y = (cache.ssm * Ch.unsqueeze(2)).sum(-1) + x * d_per_head();
    return out_proj(norm->forward_gated(y.reshape({b, e_}), parts[0], e_ / c_.ngroups));
}

LayerCache Mamba2Mixer::new_cache(std::int64_t batch, const torch::TensorOptions& options) const {
    return {torch::zeros({batch, e_ + 2 * g_ * n_, c_.d_conv}, options),
            torch::zeros({batch, h_, p_, n_}, options)};
}

}  // namespace ssmscope::model
