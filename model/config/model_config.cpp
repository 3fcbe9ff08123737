#include "model/config/model_config.hpp"

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

std::int64_t default_dt_rank(std::int64_t d_model) {
    return (d_model + 15) / 16;
}

ModelConfig config_from_sizes(const ModelSizes& s) {
    ModelConfig c;
    c.arch = s.arch;
    c.d_model = s.d_model;
    c.n_layer = s.n_layer;
    c.d_state = s.d_state;
    c.expand = s.expand;
    c.headdim = s.headdim;
    c.ngroups = s.ngroups;
    c.d_conv = s.d_conv;
    c.dt_rank = default_dt_rank(s.d_model);
    return c;
}

std::string arch_name(Arch arch) {
    switch (arch) {
        case Arch::Mamba:
            return "mamba";
        case Arch::Mamba2:
            return "mamba2";
        case Arch::ScMamba:
            return "sc-mamba";
        case Arch::SoMamba:
            return "so-mamba";
        case Arch::StMamba2:
            return "st-mamba2";
    }
    return "?";
}

std::optional<Arch> parse_arch(const std::string& name) {
    for (Arch a : {Arch::Mamba, Arch::Mamba2, Arch::ScMamba, Arch::SoMamba, Arch::StMamba2}) {
        if (arch_name(a) == name)
            return a;
    }
    return std::nullopt;
}

std::string layout_name(Layout layout) {
    return layout == Layout::HuggingFace ? "huggingface" : "mamba_ssm";
}

std::string architecture_name(const ModelConfig& c) {
    return c.falcon_mamba() ? "falcon-mamba" : arch_name(c.arch);
}

void validate(const ModelConfig& c, const std::string& source) {
    const auto need = [&](bool ok, const std::string& what) {
        if (!ok)
            throw InputError(str(source, ": ", what), source);
    };
    need(c.d_model > 0 && c.n_layer > 0 && c.vocab_size > 0,
         "d_model, n_layer and vocab_size must be positive");
    need(c.d_state > 0 && c.d_conv > 0 && c.expand > 0,
         "d_state, d_conv and expand must be positive");
    if (c.mamba2_family()) {
        need(c.headdim > 0 && c.d_inner() % c.headdim == 0,
             str("head_dim ", c.headdim, " must divide the inner size ", c.d_inner()));
        need(c.ngroups > 0 && c.nheads() % c.ngroups == 0,
             str("n_groups ", c.ngroups, " must divide the number of heads ", c.nheads()));
        need(c.chunk_size > 0, "chunk_size must be positive");
    } else {
        need(c.dt_rank > 0, "time_step_rank (dt_rank) must be positive");
    }
    if (c.arch == Arch::StMamba2) {
        need(c.d_state % 2 == 0, str("st-mamba2 places its poles in conjugate pairs, so state_size "
                                     "must be even, got ",
                                     c.d_state));
    }
}

}  // namespace ssmscope::model
