#include "model/config/config_json.hpp"

#include <cmath>
#include <fstream>
#include <iterator>

#include "base/error.hpp"
#include "base/json_parse.hpp"
#include "base/json_reader.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

namespace {

std::int64_t auto_dt_rank(const JsonNode& f, const std::string& key, std::int64_t d_model) {
    const auto automatic = default_dt_rank(d_model);
    const JsonNode rank = f[key];
    if (rank.is_null())
        return automatic;
    if (rank.optional_integer(/*strict=*/false))
        return rank.positive_integer();
    if (!rank.json().is_string() || rank.string() != "auto")
        rank.expected("a positive integer or \"auto\"");
    return automatic;
}

void read_sparse_form(const JsonNode& f, ModelConfig& c) {
    const std::string form = f["ssm_form"].string_or("");
    if (form.empty() || form == "diagonal")
        return;
    if (c.arch == Arch::Mamba && form == "controllable") {
        c.arch = Arch::ScMamba;
    } else if (c.arch == Arch::Mamba && form == "observable") {
        c.arch = Arch::SoMamba;
    } else if (c.arch == Arch::Mamba2 && form == "stable_companion") {
        c.arch = Arch::StMamba2;
    } else {
        f["ssm_form"].expected(c.arch == Arch::Mamba
                                   ? "\"controllable\" or \"observable\" for a mamba model"
                                   : "\"stable_companion\" for a mamba2 model");
    }
    const auto r = f["coeff_init_range"].range_or({c.coeff_init_lo, c.coeff_init_hi});
    c.coeff_init_lo = r.first;
    c.coeff_init_hi = r.second;
    const auto p = f["pole_radius_init_range"].range_or({c.pole_radius_lo, c.pole_radius_hi});
    if (p.first <= 0)
        f["pole_radius_init_range"].expected("positive radii");
    c.pole_radius_lo = p.first;
    c.pole_radius_hi = p.second;
}

void read_common_hf(const JsonNode& f, ModelConfig& c) {
    c.d_model = f["hidden_size"].positive_integer();
    c.n_layer = f["num_hidden_layers"].positive_integer();
    c.vocab_size = f["vocab_size"].positive_integer();
    c.d_conv = f["conv_kernel"].positive_integer_or(4);
    c.expand = f["expand"].positive_integer_or(2);
    c.conv_bias = f["use_conv_bias"].boolean_or(true);
    c.norm_eps = f["layer_norm_epsilon"].number_or(1e-5);
    c.residual_in_fp32 = f["residual_in_fp32"].boolean_or(true);
    c.dt_min = f["time_step_min"].number_or(c.dt_min);
    c.dt_max = f["time_step_max"].number_or(c.dt_max);
    c.dt_init_floor = f["time_step_floor"].number_or(c.dt_init_floor);
    c.bos_token_id = f["bos_token_id"].optional_integer();
    c.eos_token_id = f["eos_token_id"].optional_integer();
    c.pad_token_id = f["pad_token_id"].optional_integer();
    c.max_position_embeddings = f["max_position_embeddings"].optional_integer();
    if (c.max_position_embeddings && *c.max_position_embeddings < 1)
        f["max_position_embeddings"].expected("a positive integer");
    c.torch_dtype = f["torch_dtype"].string_or("float32");
    const std::string act = f["hidden_act"].string_or("silu");
    if (act != "silu" && act != "swish")
        f["hidden_act"].expected("\"silu\" (as every Mamba uses)");
}

ModelConfig parse_hf_mamba(const JsonNode& f) {
    ModelConfig c;
    c.arch = Arch::Mamba;
    read_common_hf(f, c);
    c.d_state = f["state_size"].positive_integer_or(16);
    // transformers' MambaConfig default for use_bias changed between versions: when the file
    // does not say, the presence of in_proj.bias decides (load_checkpoint).
    c.proj_bias = f["use_bias"].boolean_or(false);
    c.proj_bias_unknown = f["use_bias"].is_null();
    c.tie_embeddings = f["tie_word_embeddings"].boolean_or(true);
    c.dt_rank = auto_dt_rank(f, "time_step_rank", c.d_model);
    // transformers takes intermediate_size from the file over expand × hidden_size (falcon-mamba-7b
    // says expand 16 but has 8192 = 2 × 4096 inner channels): it sets the weights' shapes.
    if (!f["intermediate_size"].is_null()) {
        const std::int64_t inner = f["intermediate_size"].positive_integer();
        if (inner % c.d_model != 0)
            f["intermediate_size"].expected(str("a multiple of hidden_size ", c.d_model));
        c.expand = inner / c.d_model;
    }
    c.dt_scale = f["time_step_scale"].number_or(1.0);
    c.dt_init_random = f["time_step_init_scheme"].string_or("random") != "constant";
    read_sparse_form(f, c);
    return c;
}

// transformers' FalconMambaConfig: MambaConfig's keys plus mixer_rms_eps; use_mambapy and the
// like choose a Python code path and say nothing about the weights.
ModelConfig parse_hf_falcon_mamba(const JsonNode& f) {
    ModelConfig c = parse_hf_mamba(f);
    if (c.arch != Arch::Mamba)
        f["ssm_form"].expected("\"diagonal\" or absent for a falcon_mamba model");
    const double eps = f["mixer_rms_eps"].number_or(1e-6);
    if (!(eps > 0) || !std::isfinite(eps))
        f["mixer_rms_eps"].expected("a positive number");
    c.mixer_rms_eps = eps;
    return c;
}

ModelConfig parse_hf_mamba2(const JsonNode& f) {
    ModelConfig c;
    c.arch = Arch::Mamba2;
    read_common_hf(f, c);
    c.d_state = f["state_size"].positive_integer_or(128);
    c.headdim = f["head_dim"].positive_integer_or(64);
    // Mamba2Config's default n_groups (8) is Codestral's; when absent, in_proj's shape decides.
    c.ngroups = f["n_groups"].positive_integer_or(1);
    c.ngroups_unknown = f["n_groups"].is_null();
    c.proj_bias = f["use_bias"].boolean_or(false);
    c.tie_embeddings = f["tie_word_embeddings"].boolean_or(false);
    c.chunk_size = f["chunk_size"].positive_integer_or(256);
    const auto limit = f["time_step_limit"].range_or({c.dt_limit_lo, c.dt_limit_hi});
    c.dt_limit_lo = limit.first;
    c.dt_limit_hi = limit.second;
    if (!f["rms_norm"].boolean_or(true))
        f["rms_norm"].expected("true (the gated RMSNorm)");
    if (!f["num_heads"].is_null() && f["num_heads"].positive_integer() * c.headdim != c.d_inner()) {
        f["num_heads"].expected(str("num_heads × head_dim = expand × hidden_size = ", c.d_inner()));
    }
    read_sparse_form(f, c);
    return c;
}

ModelConfig parse_mamba_ssm(const JsonNode& f) {
    ModelConfig c;
    c.layout = Layout::MambaSsm;
    const JsonNode ssm = f["ssm_cfg"].object_or_empty();
    const std::string layer = ssm["layer"].string_or("Mamba1");
    if (layer == "Mamba1") {
        c.arch = Arch::Mamba;
    } else if (layer == "Mamba2") {
        c.arch = Arch::Mamba2;
    } else {
        ssm["layer"].expected("\"Mamba1\" or \"Mamba2\"");
    }
    c.d_model = f["d_model"].positive_integer();
    c.n_layer = f["n_layer"].positive_integer();
    c.vocab_size = f["vocab_size"].positive_integer();
    c.pad_vocab_size_multiple = f["pad_vocab_size_multiple"].positive_integer_or(8);
    c.tie_embeddings = f["tie_embeddings"].boolean_or(true);
    c.residual_in_fp32 = f["residual_in_fp32"].boolean_or(true);
    if (!f["rms_norm"].boolean_or(true))
        f["rms_norm"].expected("true (LayerNorm blocks are not supported)");
    if (f["d_intermediate"].optional_integer().value_or(0) != 0) {
        f["d_intermediate"].expected("0 (blocks with an MLP are not supported)");
    }
    c.d_state = ssm["d_state"].positive_integer_or(c.arch == Arch::Mamba ? 16 : 128);
    c.d_conv = ssm["d_conv"].positive_integer_or(4);
    c.expand = ssm["expand"].positive_integer_or(2);
    c.conv_bias = ssm["conv_bias"].boolean_or(true);
    c.proj_bias = ssm["bias"].boolean_or(false);
    c.dt_min = ssm["dt_min"].number_or(c.dt_min);
    c.dt_max = ssm["dt_max"].number_or(c.dt_max);
    c.dt_init_floor = ssm["dt_init_floor"].number_or(c.dt_init_floor);
    if (c.arch == Arch::Mamba) {
        c.dt_rank = auto_dt_rank(ssm, "dt_rank", c.d_model);
        c.dt_scale = ssm["dt_scale"].number_or(1.0);
        c.dt_init_random = ssm["dt_init"].string_or("random") != "constant";
    } else {
        c.headdim = ssm["headdim"].positive_integer_or(64);
        c.ngroups = ssm["ngroups"].positive_integer_or(1);
        c.d_has_hdim = ssm["D_has_hdim"].boolean_or(false);
        c.chunk_size = ssm["chunk_size"].positive_integer_or(256);
        const auto a = ssm["A_init_range"].range_or({1.0, 16.0});
        c.a_init_lo = a.first;
        c.a_init_hi = a.second;
        const auto limit = ssm["dt_limit"].range_or({c.dt_limit_lo, c.dt_limit_hi});
        c.dt_limit_lo = limit.first;
        c.dt_limit_hi = limit.second;
        if (!ssm["d_ssm"].is_null() && ssm["d_ssm"].positive_integer() != c.d_inner()) {
            ssm["d_ssm"].expected(str("the inner size expand × d_model = ", c.d_inner()));
        }
        if (!ssm["rmsnorm"].boolean_or(true))
            ssm["rmsnorm"].expected("true (the gated RMSNorm)");
        if (ssm["norm_before_gate"].boolean_or(false)) {
            ssm["norm_before_gate"].expected("false (as in the released Mamba-2 models)");
        }
    }
    read_sparse_form(f, c);
    return c;
}

// Python's json module writes inf and nan as the bare words Infinity and NaN (transformers does
// so for Mamba-2's time_step_limit); JSON has no such tokens, so they become strings here.
std::string quote_python_floats(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (in_string) {
            out += ch;
            if (ch == '\\' && i + 1 < text.size()) {
                out += text[++i];
            } else if (ch == '"') {
                in_string = false;
            }
            continue;
        }
        if (ch == '"')
            in_string = true;
        bool replaced = false;
        for (const char* word : {"-Infinity", "Infinity", "NaN"}) {
            const std::string w = word;
            if (text.compare(i, w.size(), w) == 0) {
                out += '"' +
                       (w == "-Infinity" ? std::string("-inf")
                        : w == "NaN"     ? "nan"
                                         : "inf") +
                       '"';
                i += w.size() - 1;
                replaced = true;
                break;
            }
        }
        if (!replaced)
            out += ch;
    }
    return out;
}

}  // namespace

ModelConfig parse_config(const nlohmann::json& json, const std::string& source) {
    const JsonNode f(json, source);
    if (json.contains("attn_layer_idx") && json["attn_layer_idx"].is_array() &&
        !json["attn_layer_idx"].empty()) {
        f["attn_layer_idx"].expected("an empty list (attention layers are not supported)");
    }
    ModelConfig c;
    if (!f["model_type"].is_null()) {
        const std::string type = f["model_type"].string_or("");
        if (type == "mamba") {
            c = parse_hf_mamba(f);
        } else if (type == "falcon_mamba") {
            c = parse_hf_falcon_mamba(f);
        } else if (type == "mamba2") {
            c = parse_hf_mamba2(f);
        } else {
            f["model_type"].expected("\"mamba\", \"falcon_mamba\" or \"mamba2\"");
        }
    } else if (!f["d_model"].is_null() || !f["n_layer"].is_null()) {
        c = parse_mamba_ssm(f);
    } else {
        throw InputError(str(source,
                             ": cannot tell the layout: expected 'model_type' (Hugging Face) or "
                             "'d_model' and 'n_layer' (mamba_ssm)"),
                         source);
    }
    validate(c, source);
    return c;
}

ModelConfig load_config(const std::filesystem::path& dir) {
    const auto file = dir / "config.json";
    std::ifstream in(file);
    if (!in) {
        throw InputError(str(file.string(),
                             ": cannot open (a checkpoint directory holds config.json "
                             "and model.safetensors)"),
                         file.string());
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_config_text(text, file.string());
}

ModelConfig parse_config_text(std::string_view text, const std::string& source) {
    return parse_config(parse_json(quote_python_floats(std::string(text)), source), source);
}

nlohmann::ordered_json to_hf_json(const ModelConfig& c) {
    nlohmann::ordered_json j;
    const bool m2 = c.mamba2_family();
    j["architectures"] = {m2                 ? "Mamba2ForCausalLM"
                          : c.falcon_mamba() ? "FalconMambaForCausalLM"
                                             : "MambaForCausalLM"};
    j["model_type"] = m2 ? "mamba2" : c.falcon_mamba() ? "falcon_mamba" : "mamba";
    if (c.arch == Arch::ScMamba)
        j["ssm_form"] = "controllable";
    if (c.arch == Arch::SoMamba)
        j["ssm_form"] = "observable";
    if (c.arch == Arch::StMamba2)
        j["ssm_form"] = "stable_companion";
    j["hidden_size"] = c.d_model;
    j["num_hidden_layers"] = c.n_layer;
    j["vocab_size"] = c.padded_vocab();
    j["state_size"] = c.d_state;
    j["expand"] = c.expand;
    j["conv_kernel"] = c.d_conv;
    j["use_bias"] = c.proj_bias;
    j["use_conv_bias"] = c.conv_bias;
    j["layer_norm_epsilon"] = c.norm_eps;
    j["residual_in_fp32"] = c.residual_in_fp32;
    j["tie_word_embeddings"] = c.tie_embeddings;
    j["time_step_min"] = c.dt_min;
    j["time_step_max"] = c.dt_max;
    j["time_step_floor"] = c.dt_init_floor;
    if (m2) {
        j["num_heads"] = c.nheads();
        j["head_dim"] = c.headdim;
        j["n_groups"] = c.ngroups;
        j["chunk_size"] = c.chunk_size;
        j["rms_norm"] = true;
        // (0, ∞) is transformers' default; JSON cannot write ∞, Python writes a bare Infinity.
        if (c.dt_limit_lo != 0.0 || !std::isinf(c.dt_limit_hi)) {
            j["time_step_limit"] = {c.dt_limit_lo, c.dt_limit_hi};
        }
    } else {
        j["time_step_rank"] = c.dt_rank;
        j["time_step_scale"] = c.dt_scale;
        j["time_step_init_scheme"] = c.dt_init_random ? "random" : "constant";
        if (c.mixer_rms_eps)
            j["mixer_rms_eps"] = *c.mixer_rms_eps;
    }
    if (c.arch == Arch::ScMamba || c.arch == Arch::SoMamba) {
        j["coeff_init_range"] = {c.coeff_init_lo, c.coeff_init_hi};
    }
    if (c.arch == Arch::StMamba2)
        j["pole_radius_init_range"] = {c.pole_radius_lo, c.pole_radius_hi};
    if (c.bos_token_id)
        j["bos_token_id"] = *c.bos_token_id;
    if (c.eos_token_id)
        j["eos_token_id"] = *c.eos_token_id;
    if (c.pad_token_id)
        j["pad_token_id"] = *c.pad_token_id;
    if (c.max_position_embeddings)
        j["max_position_embeddings"] = *c.max_position_embeddings;
    j["torch_dtype"] = c.torch_dtype;
    return j;
}

}  // namespace ssmscope::model
