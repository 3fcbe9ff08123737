#include "model/nn/mamba_mixer.hpp"

#include <cmath>

#include <torch/torch.h>

#include "model/nn/causal_conv.hpp"
#include "model/nn/init.hpp"
#include "model/nn/rms_norm.hpp"
#include "model/nn/selective_scan.hpp"
#include "model/nn/selective_scan_fused.hpp"
#include "model/nn/selective_step_fused.hpp"

namespace ssmscope::model {

MambaMixer::MambaMixer(const ModelConfig& c, Init init)
    : e_(c.d_inner()), n_(c.d_state), r_(c.dt_rank), rms_eps_(c.mixer_rms_eps) {
    const std::int64_t dm = c.d_model, k = c.d_conv;
    in_proj = register_module("in_proj", Linear(dm, 2 * e_, c.proj_bias, init));
    conv1d = register_module("conv1d", CausalConv1d(e_, k, c.conv_bias, init));
    x_proj = register_module("x_proj", Linear(e_, r_ + 2 * n_, false, init));
    dt_proj = register_module("dt_proj", Linear(r_, e_, true, init));
    A_log = register_parameter(
        "A_log", torch::log(torch::arange(1, n_ + 1, torch::kFloat32)).repeat({e_, 1}));
    D = register_parameter("D", torch::ones({e_}));
    out_proj = register_module("out_proj", Linear(e_, dm, c.proj_bias, init));

    if (init == Init::Random) {
        init_dt_proj(dt_proj, c);
        init_out_proj(out_proj, c, {&in_proj, &x_proj, &out_proj});
    }
}

torch::Tensor MambaMixer::A() const {
    return -torch::exp(A_log);
}

MambaMixer::Selection MambaMixer::select(const torch::Tensor& x) {
    const auto parts = x_proj(x).split_with_sizes({r_, n_, n_}, -1);
    if (!rms_eps_)
        return {dt_proj(parts[0]), parts[1], parts[2]};
    // Falcon-Mamba: each of the three pieces over its own last dimension (R, N, N), before
    // dt_proj, so that dt_proj's bias is not normalised.
    return {dt_proj(rms_normalize(parts[0], *rms_eps_)), rms_normalize(parts[1], *rms_eps_),
            rms_normalize(parts[2], *rms_eps_)};
}

torch::Tensor MambaMixer::forward(const torch::Tensor& u) {
    const auto xz = in_proj(u).chunk(2, -1);  // x, z: (b, l, E)
    const torch::Tensor x = torch::silu(causal_conv(xz[0], conv1d->weight, conv1d->bias));
    // dt_proj's bias enters inside the softplus, as the reference scan's delta_bias.
    const Selection s = select(x);
    const torch::Tensor delta = torch::softplus(s.dt);
    if (record_)
        *record_ = {s.dt, delta, s.B.unsqueeze(2), s.C.unsqueeze(2)};
    if (fused_selective_scan_supported(x))
        return out_proj(selective_scan_fused(x, delta, A(), s.B, s.C, D, xz[1]));
    const torch::Tensor y = selective_scan(x, delta, A(), s.B, s.C, D);
    return out_proj(y * torch::silu(xz[1]));
}

torch::Tensor MambaMixer::step(const torch::Tensor& u, LayerCache& cache) {
    const auto xz = in_proj(u).chunk(2, -1);  // (b, E) each
    const torch::Tensor x =
        torch::silu(causal_conv_step(xz[0], cache.conv, conv1d->weight, conv1d->bias));
    const Selection s = select(x);
    const torch::Tensor delta = torch::softplus(s.dt);
    const torch::Tensor y = fused_selective_step_supported(x, cache.ssm)
                                ? selective_step_fused(x, delta, A(), s.B, s.C, D, cache.ssm)
                                : selective_step(x, delta, A(), s.B, s.C, D, cache.ssm);
    return out_proj(y * torch::silu(xz[1]));
}

LayerCache MambaMixer::new_cache(std::int64_t batch, const torch::TensorOptions& options) const {
    return {torch::zeros({batch, e_, conv1d->kernel_size()}, options),
            torch::zeros({batch, e_, n_}, options)};
}

}  // namespace ssmscope::model
