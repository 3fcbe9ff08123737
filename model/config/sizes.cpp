#include "model/config/sizes.hpp"

namespace ssmscope::model {

namespace {

std::int64_t mixer_parameters(const ModelConfig& c) {
    const std::int64_t dm = c.d_model, e = c.d_inner(), n = c.d_state, k = c.d_conv;
    const std::int64_t proj_bias = c.proj_bias ? 1 : 0, conv_bias = c.conv_bias ? 1 : 0;
    if (c.mamba2_family()) {
        const std::int64_t h = c.nheads(), gn = c.ngroups * n;
        // The ST variant's B is the fixed e_N, so in_proj and the convolution carry only C.
        const std::int64_t bc = c.arch == Arch::StMamba2 ? gn : 2 * gn;
        const std::int64_t in_width = 2 * e + bc + h, conv_dim = e + bc;
        const std::int64_t a = c.arch == Arch::StMamba2 ? h * n : h;  // poles vs one scalar
        return in_width * dm + in_width * proj_bias + conv_dim * k + conv_dim * conv_bias +
               h /*dt_bias*/ + a + (c.d_has_hdim ? e : h) /*D*/ + e /*norm*/ + dm * e +
               dm * proj_bias;
    }
    const std::int64_t r = c.dt_rank;
    // SC keeps only C in x_proj (B = e_N), SO only B (C = e_Nᵀ).
    const std::int64_t x_rows = c.arch == Arch::Mamba ? r + 2 * n : r + n;
    return 2 * e * dm + 2 * e * proj_bias + e * k + e * conv_bias + x_rows * e + e * r + e +
           e * n /*A_log or companion coefficients*/ + e /*D*/ + dm * e + dm * proj_bias;
}

}  // namespace

ParameterCount parameter_count(const ModelConfig& c) {
    ParameterCount p;
    p.embedding = c.padded_vocab() * c.d_model * (c.tie_embeddings ? 1 : 2);
    p.per_layer = c.d_model + mixer_parameters(c);
    p.final_norm = c.d_model;
    p.total = p.embedding + c.n_layer * p.per_layer + p.final_norm;
    return p;
}

std::int64_t state_values_per_layer(const ModelConfig& c) {
    const std::int64_t e = c.d_inner(), n = c.d_state;
    if (c.mamba2_family()) {
        const std::int64_t gn = c.ngroups * n;
        const std::int64_t conv_dim = e + (c.arch == Arch::StMamba2 ? gn : 2 * gn);
        return conv_dim * c.d_conv + c.nheads() * c.headdim * n;
    }
    return e * c.d_conv + e * n;
}

}  // namespace ssmscope::model
