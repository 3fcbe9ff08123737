#include "model/config/tensor_shapes.hpp"

namespace ssmscope::model {

namespace {

using Shape = std::vector<std::int64_t>;

// A module's own parameters come before its submodules', each in registration order, as
// torch::nn::Module::named_parameters() walks them; the mixers register theirs as written here.
class Lister {
  public:
    Lister(std::vector<TensorShape>& out, std::string prefix)
        : out_(out), prefix_(std::move(prefix)) {}
    void add(const std::string& name, Shape shape) {
        out_.push_back({prefix_ + name, std::move(shape)});
    }
    void linear(const std::string& name, std::int64_t in, std::int64_t out, bool bias) {
        add(name + ".weight", {out, in});
        if (bias)
            add(name + ".bias", {out});
    }
    // Depthwise: one filter of width k per channel.
    void conv(std::int64_t channels, std::int64_t k, bool bias) {
        add("conv1d.weight", {channels, 1, k});
        if (bias)
            add("conv1d.bias", {channels});
    }

  private:
    std::vector<TensorShape>& out_;
    std::string prefix_;
};

void mixer_shapes(const ModelConfig& c, Lister& l) {
    const std::int64_t dm = c.d_model, e = c.d_inner(), n = c.d_state, k = c.d_conv;
    switch (c.arch) {
        case Arch::Mamba:
        case Arch::ScMamba:
        case Arch::SoMamba: {
            const bool mamba = c.arch == Arch::Mamba;
            const std::int64_t r = c.dt_rank;
            l.add(mamba ? "A_log" : "A_coeffs", {e, n});
            l.add("D", {e});
            l.linear("in_proj", dm, 2 * e, c.proj_bias);
            l.conv(e, k, c.conv_bias);
            // SC keeps only C in x_proj (B = e_N), SO only B (C = e_Nᵀ).
            l.linear("x_proj", e, r + (mamba ? 2 : 1) * n, false);
            l.linear("dt_proj", r, e, true);
            l.linear("out_proj", e, dm, c.proj_bias);
            return;
        }
        case Arch::Mamba2:
        case Arch::StMamba2: {
            const bool st = c.arch == Arch::StMamba2;
            const std::int64_t h = c.nheads(), gn = c.ngroups * n;
            // ST's B is the fixed e_N: in_proj and the convolution carry only C.
            const std::int64_t bc = st ? gn : 2 * gn;
            l.add("dt_bias", {h});
            if (st) {
                l.add("A_pole_log_re", {h, n / 2});
                l.add("A_pole_im", {h, n / 2});
                l.add("D", {h});
            } else {
                l.add("A_log", {h});
                l.add("D", {c.d_has_hdim ? e : h});
            }
            l.linear("in_proj", dm, 2 * e + bc + h, c.proj_bias);
            l.conv(e + bc, k, c.conv_bias);
            l.add("norm.weight", {e});
            l.linear("out_proj", e, dm, c.proj_bias);
            return;
        }
    }
}

}  // namespace

std::vector<TensorShape> layer_parameter_shapes(const ModelConfig& c, std::int64_t layer) {
    std::vector<TensorShape> out;
    const std::string prefix = "backbone.layers." + std::to_string(layer) + ".";
    Lister block(out, prefix);
    block.add("norm.weight", {c.d_model});
    Lister mixer(out, prefix + "mixer.");
    mixer_shapes(c, mixer);
    return out;
}

std::vector<TensorShape> parameter_shapes(const ModelConfig& c) {
    std::vector<TensorShape> out{{"backbone.embeddings.weight", {c.padded_vocab(), c.d_model}}};
    for (std::int64_t i = 0; i < c.n_layer; ++i) {
        std::vector<TensorShape> layer = layer_parameter_shapes(c, i);
        out.insert(out.end(), std::make_move_iterator(layer.begin()),
                   std::make_move_iterator(layer.end()));
    }
    out.push_back({"backbone.norm_f.weight", {c.d_model}});
    if (!c.tie_embeddings)
        out.push_back({"lm_head.weight", {c.padded_vocab(), c.d_model}});
    return out;
}

}  // namespace ssmscope::model
