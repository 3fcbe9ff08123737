#include "bench/presets.hpp"

#include <stdexcept>

namespace ssmscope::bench {

namespace {

model::ModelConfig mamba(model::Arch arch, std::int64_t d_model, std::int64_t n_layer,
                         std::int64_t d_state) {
    model::ModelConfig c;
    c.arch = arch;
    c.d_model = d_model;
    c.n_layer = n_layer;
    c.d_state = d_state;
    c.expand = 2;
    c.dt_rank = (d_model + 15) / 16;
    c.vocab_size = 50280;  // GPT-NeoX, padded to a multiple of 8 as mamba_ssm does
    c.pad_vocab_size_multiple = 8;
    return c;
}

model::ModelConfig mamba2(std::int64_t d_model, std::int64_t n_layer) {
    model::ModelConfig c = mamba(model::Arch::Mamba2, d_model, n_layer, 128);
    c.headdim = 64;
    c.ngroups = 1;
    return c;
}

// tiiuae/falcon-mamba-7b's shape as plain Mamba-1 (64 layers x 4096, dt_rank 256, vocabulary
// 65 024): 7.0 B parameters, 14.0 GB in bf16 (the real model's RMS norms of B, C and Δ aside).
model::ModelConfig seven_b() {
    model::ModelConfig c = mamba(model::Arch::Mamba, 4096, 64, 16);
    c.vocab_size = 65024;
    return c;
}

}  // namespace

const std::vector<Preset>& presets() {
    static const std::vector<Preset> all = {
        {"130m", mamba(model::Arch::Mamba, 768, 24, 16)},
        {"370m", mamba(model::Arch::Mamba, 1024, 48, 16)},
        {"1.4b", mamba(model::Arch::Mamba, 2048, 48, 16)},
        {"2.8b", mamba(model::Arch::Mamba, 2560, 64, 16)},
        {"mamba2-130m", mamba2(768, 24)},
        {"mamba2-2.7b", mamba2(2560, 64)},
        {"sc-130m", mamba(model::Arch::ScMamba, 768, 24, 16)},
        {"7b", seven_b()},
    };
    return all;
}

const Preset& preset(const std::string& name) {
    std::string known;
    for (const Preset& p : presets()) {
        if (p.name == name)
            return p;
        known += (known.empty() ? "" : ", ") + p.name;
    }
    throw std::invalid_argument("unknown preset '" + name + "' (known: " + known + ")");
}

}  // namespace ssmscope::bench
