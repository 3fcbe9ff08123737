#include "model/config/config_json.hpp"

#include <cmath>
#include <fstream>
#include <iterator>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/config/json_fields.hpp"

namespace ssmscope::model {

namespace {

std::int64_t auto_dt_rank(const JsonFields& f, const std::string& key, std::int64_t d_model) {
    const auto automatic = default_dt_rank(d_model);
    if (!f.has(key))
        return automatic;
    if (f.optional_int(key, /*strict=*/false))
        return f.positive_int(key);
    if (f.string(key, "") != "auto")
        f.fail(key, "a positive integer or \"auto\"");
    return automatic;
}

void read_sparse_form(const JsonFields& f, ModelConfig& c) {
    const std::string form = f.string("ssm_form", "");
    if (form.empty() || form == "diagonal")
        return;
    if (c.arch == Arch::Mamba && form == "controllable") {
        c.arch = Arch::ScMamba;
    } else if (c.arch == Arch::Mamba && form == "observable") {
        c.arch = Arch::SoMamba;
    } else if (c.arch == Arch::Mamba2 && form == "stable_companion") {
        c.arch = Arch::StMamba2;
    } else {
        f.fail("ssm_form", c.arch == Arch::Mamba
                               ? "\"controllable\" or \"observable\" for a mamba model"
                               : "\"stable_companion\" for a mamba2 model");
    }
    const auto r = f.range("coeff_init_range", {c.coeff_init_lo, c.coeff_init_hi});
    c.coeff_init_lo = r.first;
    c.coeff_init_hi = r.second;
    const auto p = f.range("pole_radius_init_range", {c.pole_radius_lo, c.pole_radius_hi});
    if (p.first <= 0)
        f.fail("pole_radius_init_range", "positive radii");
    c.pole_radius_lo = p.first;
    c.pole_radius_hi = p.second;
}

void read_common_hf(const JsonFields& f, ModelConfig& c) {
    c.d_model = f.positive_int("hidden_size");
    c.n_layer = f.positive_int("num_hidden_layers");
    c.vocab_size = f.positive_int("vocab_size");
    c.d_conv = f.positive_int("conv_kernel", 4);
    c.expand = f.positive_int("expand", 2);
    c.conv_bias = f.boolean("use_conv_bias", true);
    c.norm_eps = f.number("layer_norm_epsilon", 1e-5);
    c.residual_in_fp32 = f.boolean("residual_in_fp32", true);
    c.dt_min = f.number("time_step_min", c.dt_min);
    c.dt_max = f.number("time_step_max", c.dt_max);
    c.dt_init_floor = f.number("time_step_floor", c.dt_init_floor);
    c.bos_token_id = f.optional_int("bos_token_id");
    c.eos_token_id = f.optional_int("eos_token_id");
    c.pad_token_id = f.optional_int("pad_token_id");
    c.max_position_embeddings = f.optional_int("max_position_embeddings");
    if (c.max_position_embeddings && *c.max_position_embeddings < 1)
        f.fail("max_position_embeddings", "a positive integer");
    c.torch_dtype = f.string("torch_dtype", "float32");
    const std::string act = f.string("hidden_act", "silu");
    if (act != "silu" && act != "swish")
        f.fail("hidden_act", "\"silu\" (as every Mamba uses)");
}

ModelConfig parse_hf_mamba(const JsonFields& f) {
    ModelConfig c;
    c.arch = Arch::Mamba;
    read_common_hf(f, c);
    c.d_state = f.positive_int("state_size", 16);
    // transformers' MambaConfig default for use_bias changed between versions: when the file
    // does not say, the presence of in_proj.bias decides (load_checkpoint).
    c.proj_bias = f.boolean("use_bias", false);
    c.proj_bias_unknown = !f.has("use_bias");
    c.tie_embeddings = f.boolean("tie_word_embeddings", true);
    c.dt_rank = auto_dt_rank(f, "time_step_rank", c.d_model);
    if (f.has("intermediate_size") && f.positive_int("intermediate_size") != c.d_inner()) {
        f.fail("intermediate_size", str("expand × hidden_size = ", c.d_inner()));
    }
    c.dt_scale = f.number("time_step_scale", 1.0);
    c.dt_init_random = f.string("time_step_init_scheme", "random") != "constant";
    read_sparse_form(f, c);
    return c;
}

ModelConfig parse_hf_mamba2(const JsonFields& f) {
    ModelConfig c;
    c.arch = Arch::Mamba2;
    read_common_hf(f, c);
    c.d_state = f.positive_int("state_size", 128);
    c.headdim = f.positive_int("head_dim", 64);
    // Mamba2Config's default n_groups (8) is Codestral's; when absent, in_proj's shape decides.
    c.ngroups = f.positive_int("n_groups", 1);
    c.ngroups_unknown = !f.has("n_groups");
    // transformers' gated RMSNorm normalises over the whole inner size; our own files say
    // otherwise when the model came from mamba_ssm.
    c.norm_groups = f.positive_int("norm_groups", 1);
    c.proj_bias = f.boolean("use_bias", false);
    c.tie_embeddings = f.boolean("tie_word_embeddings", false);
    c.chunk_size = f.positive_int("chunk_size", 256);
    const auto limit = f.range("time_step_limit", {c.dt_limit_lo, c.dt_limit_hi});
    c.dt_limit_lo = limit.first;
    c.dt_limit_hi = limit.second;
    if (!f.boolean("rms_norm", true))
        f.fail("rms_norm", "true (the gated RMSNorm)");
    if (f.has("num_heads") && f.positive_int("num_heads") * c.headdim != c.d_inner()) {
        f.fail("num_heads", str("num_heads × head_dim = expand × hidden_size = ", c.d_inner()));
    }
    read_sparse_form(f, c);
    return c;
}

ModelConfig parse_mamba_ssm(const JsonFields& f) {
    ModelConfig c;
    c.layout = Layout::MambaSsm;
    const JsonFields ssm = f.object("ssm_cfg");
    const std::string layer = ssm.string("layer", "Mamba1");
    if (layer == "Mamba1") {
        c.arch = Arch::Mamba;
    } else if (layer == "Mamba2") {
        c.arch = Arch::Mamba2;
    } else {
        ssm.fail("layer", "\"Mamba1\" or \"Mamba2\"");
    }
    c.d_model = f.positive_int("d_model");
    c.n_layer = f.positive_int("n_layer");
    c.vocab_size = f.positive_int("vocab_size");
    c.pad_vocab_size_multiple = f.positive_int("pad_vocab_size_multiple", 8);
    c.tie_embeddings = f.boolean("tie_embeddings", true);
    c.residual_in_fp32 = f.boolean("residual_in_fp32", true);
    if (!f.boolean("rms_norm", true))
        f.fail("rms_norm", "true (LayerNorm blocks are not supported)");
    if (f.optional_int("d_intermediate").value_or(0) != 0) {
        f.fail("d_intermediate", "0 (blocks with an MLP are not supported)");
    }
    c.d_state = ssm.positive_int("d_state", c.arch == Arch::Mamba ? 16 : 128);
    c.d_conv = ssm.positive_int("d_conv", 4);
    c.expand = ssm.positive_int("expand", 2);
    c.conv_bias = ssm.boolean("conv_bias", true);
    c.proj_bias = ssm.boolean("bias", false);
    c.dt_min = ssm.number("dt_min", c.dt_min);
    c.dt_max = ssm.number("dt_max", c.dt_max);
    c.dt_init_floor = ssm.number("dt_init_floor", c.dt_init_floor);
    if (c.arch == Arch::Mamba) {
        c.dt_rank = auto_dt_rank(ssm, "dt_rank", c.d_model);
        c.dt_scale = ssm.number("dt_scale", 1.0);
        c.dt_init_random = ssm.string("dt_init", "random") != "constant";
    } else {
        c.headdim = ssm.positive_int("headdim", 64);
        c.ngroups = ssm.positive_int("ngroups", 1);
        c.norm_groups = c.ngroups;  // mamba_ssm's RMSNormGated(group_size = d_ssm / ngroups)
        c.d_has_hdim = ssm.boolean("D_has_hdim", false);
        c.chunk_size = ssm.positive_int("chunk_size", 256);
        const auto a = ssm.range("A_init_range", {1.0, 16.0});
        c.a_init_lo = a.first;
        c.a_init_hi = a.second;
        const auto limit = ssm.range("dt_limit", {c.dt_limit_lo, c.dt_limit_hi});
        c.dt_limit_lo = limit.first;
        c.dt_limit_hi = limit.second;
        if (ssm.has("d_ssm") && ssm.positive_int("d_ssm") != c.d_inner()) {
            ssm.fail("d_ssm", str("the inner size expand × d_model = ", c.d_inner()));
        }
        if (!ssm.boolean("rmsnorm", true))
            ssm.fail("rmsnorm", "true (the gated RMSNorm)");
        if (ssm.boolean("norm_before_gate", false)) {
            ssm.fail("norm_before_gate", "false (as in the released Mamba-2 models)");
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
    const JsonFields f(json, source);
    if (json.contains("attn_layer_idx") && json["attn_layer_idx"].is_array() &&
        !json["attn_layer_idx"].empty()) {
        f.fail("attn_layer_idx", "an empty list (attention layers are not supported)");
    }
    ModelConfig c;
    if (f.has("model_type")) {
        const std::string type = f.string("model_type", "");
        if (type == "mamba") {
            c = parse_hf_mamba(f);
        } else if (type == "mamba2") {
            c = parse_hf_mamba2(f);
        } else {
            f.fail("model_type", "\"mamba\" or \"mamba2\"");
        }
    } else if (f.has("d_model") || f.has("n_layer")) {
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
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(quote_python_floats(std::string(text)));
    } catch (const nlohmann::json::exception& e) {
        // parse_error, and out_of_range for a number beyond double.
        throw InputError(str(source, ": malformed JSON: ", e.what()), source);
    }
    return parse_config(json, source);
}

nlohmann::ordered_json to_hf_json(const ModelConfig& c) {
    nlohmann::ordered_json j;
    const bool m2 = c.mamba2_family();
    j["architectures"] = {m2 ? "Mamba2ForCausalLM" : "MambaForCausalLM"};
    j["model_type"] = m2 ? "mamba2" : "mamba";
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
        if (c.norm_groups != 1)
            j["norm_groups"] = c.norm_groups;
        // (0, ∞) is transformers' default; JSON cannot write ∞, Python writes a bare Infinity.
        if (c.dt_limit_lo != 0.0 || !std::isinf(c.dt_limit_hi)) {
            j["time_step_limit"] = {c.dt_limit_lo, c.dt_limit_hi};
        }
    } else {
        j["time_step_rank"] = c.dt_rank;
        j["time_step_scale"] = c.dt_scale;
        j["time_step_init_scheme"] = c.dt_init_random ? "random" : "constant";
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
