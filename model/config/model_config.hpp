// The hyper-parameters of one language model of the Mamba family, whatever file layout they came
// from (Hugging Face `mamba` / `mamba2`, original mamba_ssm, or our Sparse variants).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace ssmscope::model {

enum class Arch { Mamba, Mamba2, ScMamba, SoMamba, StMamba2 };

// Where a checkpoint came from: decides the embedding key (`embeddings` vs `embedding`) and how
// the vocabulary is padded. Saving always writes the Hugging Face layout.
enum class Layout { HuggingFace, MambaSsm };

struct ModelConfig {
    Arch arch = Arch::Mamba;
    Layout layout = Layout::HuggingFace;

    std::int64_t d_model = 0;
    std::int64_t n_layer = 0;
    std::int64_t vocab_size = 0;               // as written in config.json
    std::int64_t pad_vocab_size_multiple = 1;  // mamba_ssm pads the embedding rows (default 8)
    std::int64_t d_state = 16;
    std::int64_t d_conv = 4;
    std::int64_t expand = 2;
    std::int64_t dt_rank = 0;  // Mamba-1 family; ceil(d_model / 16) when "auto"

    // Mamba-2 family.
    std::int64_t headdim = 64;
    // Groups of B and C, and of the gated RMSNorm: mamba_ssm (group_size = d_ssm / ngroups) and
    // transformers (group_size = intermediate_size / n_groups) both normalise within each group.
    std::int64_t ngroups = 1;
    bool d_has_hdim = false;
    std::int64_t chunk_size = 256;
    double dt_limit_lo = 0.0;
    double dt_limit_hi = std::numeric_limits<double>::infinity();

    bool conv_bias = true;
    bool proj_bias = false;  // in_proj / out_proj bias
    // Falcon-Mamba (Hugging Face `falcon_mamba`): a Mamba-1 whose mixer normalises the time-step
    // input, B and C (RMS over the last dimension, no learned weight) right after x_proj, with
    // this epsilon (config.json "mixer_rms_eps"). Absent for every other model.
    std::optional<double> mixer_rms_eps;
    double norm_eps = 1e-5;
    bool tie_embeddings = true;
    bool residual_in_fp32 = true;

    // Initialisation (reference implementation defaults).
    double dt_min = 1e-3;
    double dt_max = 0.1;
    double dt_init_floor = 1e-4;
    double dt_scale = 1.0;
    bool dt_init_random = true;
    double a_init_lo = 1.0;  // Mamba-2: A ~ U(lo, hi) per head
    double a_init_hi = 16.0;
    // SC/SO-Mamba: companion coefficients a_k ~ U(lo, hi).
    double coeff_init_lo = 0.0;
    double coeff_init_hi = 1.0;
    // ST-Mamba-2: per head, Butterworth-spaced conjugate pole pairs in the open left half-plane on
    // a circle of radius r ~ U(lo, hi). Radii near 1 keep the companion coefficients (products
    // of poles) and the Vandermonde modal basis well scaled.
    double pole_radius_lo = 0.5;
    double pole_radius_hi = 1.0;

    std::optional<std::int64_t> bos_token_id, eos_token_id, pad_token_id;
    // The longest sequence the model was trained or declared for (config.json
    // "max_position_embeddings"); Mamba itself has no positional limit.
    std::optional<std::int64_t> max_position_embeddings;
    std::string torch_dtype = "float32";

    // Fields config.json left out whose value the checkpoint's tensors decide (use_bias of
    // Mamba-1, n_groups of Mamba-2: their defaults changed between transformers versions).
    bool proj_bias_unknown = false;
    bool ngroups_unknown = false;

    std::int64_t padded_vocab() const {
        const std::int64_t m = pad_vocab_size_multiple > 0 ? pad_vocab_size_multiple : 1;
        return (vocab_size + m - 1) / m * m;
    }
    std::int64_t d_inner() const { return expand * d_model; }
    std::int64_t nheads() const { return headdim > 0 ? d_inner() / headdim : 0; }
    bool mamba2_family() const { return arch == Arch::Mamba2 || arch == Arch::StMamba2; }
    bool falcon_mamba() const { return mixer_rms_eps.has_value(); }
};

// "mamba", "sc-mamba", "so-mamba", "mamba2", "st-mamba2" (the names `train --arch` takes).
std::string arch_name(Arch arch);
std::optional<Arch> parse_arch(const std::string& name);
std::string layout_name(Layout layout);

// What reports call the model: arch_name, except "falcon-mamba" for a Mamba with the mixer norms.
std::string architecture_name(const ModelConfig& config);

// dt_rank "auto": ceil(d_model / 16), as mamba_ssm chooses it.
std::int64_t default_dt_rank(std::int64_t d_model);

// The sizes a new model is chosen by (`train --arch --d-model ...`, the training panel); every
// other field keeps ModelConfig's default and dt_rank is "auto".
struct ModelSizes {
    Arch arch = Arch::Mamba;
    std::int64_t d_model = 64, n_layer = 2, d_state = 16, expand = 2, headdim = 16, ngroups = 1,
                 d_conv = 4;
};
ModelConfig config_from_sizes(const ModelSizes& sizes);

// Checks the sizes fit together (d_inner divisible by headdim, heads by groups, ...); throws
// InputError naming `source` and the field.
void validate(const ModelConfig& config, const std::string& source);

}  // namespace ssmscope::model
