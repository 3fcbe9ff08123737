#include "model/nn/sparse_mixer.hpp"

#include <cmath>

#include <torch/torch.h>

#include "model/nn/causal_conv.hpp"
#include "model/nn/init.hpp"

namespace ssmscope::model {

SparseMixer::SparseMixer(const ModelConfig& c, CompanionForm form, Init init)
    : form_(form), e_(c.d_inner()), n_(c.d_state), r_(c.dt_rank), k_(c.d_conv) {
    const std::int64_t dm = c.d_model;
    in_proj = register_module("in_proj", Linear(dm, 2 * e_, c.proj_bias, init));
    conv1d = register_module("conv1d", CausalConv1d(e_, k_, c.conv_bias, init));
    x_proj = register_module("x_proj", Linear(e_, r_ + n_, false, init));
    dt_proj = register_module("dt_proj", Linear(r_, e_, true, init));
    A_coeffs = register_parameter(
        "A_coeffs", torch::empty({e_, n_}).uniform_(c.coeff_init_lo, c.coeff_init_hi));
    D = register_parameter("D", torch::zeros({e_}));
    out_proj = register_module("out_proj", Linear(e_, dm, c.proj_bias, init));

    if (init == Init::Random) {
        init_dt_proj(dt_proj, c);
        init_out_proj(out_proj, c, {&in_proj, &x_proj, &out_proj});
    }
}

torch::Tensor SparseMixer::per_channel(const torch::Tensor& sel) const {
    std::vector<std::int64_t> shape = sel.sizes().vec();
    shape.insert(shape.end() - 1, e_);
    return sel.unsqueeze(-2).expand(shape);
}

torch::Tensor SparseMixer::forward(const torch::Tensor& u) {
    const auto xz = in_proj(u).chunk(2, -1);
    const torch::Tensor x = torch::silu(causal_conv(xz[0], conv1d->weight, conv1d->bias));
    const auto parts = x_proj(x).split_with_sizes({r_, n_}, -1);  // dt, C_t or B_t
    const torch::Tensor dt = dt_proj(parts[0]), delta = torch::softplus(dt);
    if (record_) {
        const torch::Tensor sel = parts[1].unsqueeze(2);
        *record_ = form_ == CompanionForm::Controllable ? MixerRecord{dt, delta, {}, sel}
                                                        : MixerRecord{dt, delta, sel, {}};
    }
    // One C_t (or B_t) for every channel: a single group.
    const CompanionScan scan{form_, A_coeffs, delta, x.unsqueeze(-1), parts[1].unsqueeze(2)};
    const torch::Tensor ssm = dense_ ? companion_scan_dense(scan)
                                     : companion_scan(scan, [&] { return modal_basis(A_coeffs); });
    return out_proj((ssm.squeeze(-1) + x * D) * torch::silu(xz[1]));
}

torch::Tensor SparseMixer::step(const torch::Tensor& u, LayerCache& cache) {
    const auto xz = in_proj(u).chunk(2, -1);
    const torch::Tensor x =
        torch::silu(causal_conv_step(xz[0], cache.conv, conv1d->weight, conv1d->bias));
    const auto parts = x_proj(x).split_with_sizes({r_, n_}, -1);
    const torch::Tensor y = companion_step(form_, A_coeffs, torch::softplus(dt_proj(parts[0])),
                                           x.unsqueeze(-1), per_channel(parts[1]), cache.ssm);
    return out_proj((y.squeeze(-1) + x * D) * torch::silu(xz[1]));
}

LayerCache SparseMixer::new_cache(std::int64_t batch, const torch::TensorOptions& options) const {
    return {torch::zeros({batch, e_, k_}, options), torch::zeros({batch, e_, 1, n_}, options)};
}

}  // namespace ssmscope::model
