#include "model/io/gguf/gguf_config.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/io/gguf/gguf_metadata.hpp"

namespace ssmscope::model {

namespace {

// The float32 epsilon as the shortest decimal that reads back as the same float: 1e-05 rather
// than 9.99999974738e-06, which config.json would have said.
double shortest_float(double v) {
    const auto f = static_cast<float>(v);
    for (int digits = 1; digits <= 9; ++digits) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.*g", digits, static_cast<double>(f));
        const double back = std::strtod(buf, nullptr);
        if (static_cast<float>(back) == f)
            return back;
    }
    return v;
}

std::int64_t rows(const GgufTensorInfo& t) {
    return t.n_dims >= 2 ? t.ne[1] : 1;
}

}  // namespace

bool gguf_is_mamba2(const GgufFile& f) {
    const auto arch = meta_string(f, "general.architecture");
    if (!arch)
        meta_fail(f, "general.architecture", "\"mamba\" or \"mamba2\"");
    if (*arch != "mamba" && *arch != "mamba2")
        meta_fail(f, "general.architecture", "\"mamba\" or \"mamba2\"");
    return *arch == "mamba2";
}

std::string gguf_config_text(const GgufFile& f) {
    const bool m2 = gguf_is_mamba2(f);
    const std::string a = m2 ? "mamba2" : "mamba";
    const std::string file = f.path().string();
    const auto key = [&](std::string_view k) { return str(a, ".", k); };

    if (meta_bool(f, key("ssm.dt_b_c_rms")).value_or(false)) {
        meta_fail(f, key("ssm.dt_b_c_rms"),
                  "false (Falcon-Mamba's RMS norms of dt, B and C are not supported)");
    }
    const std::uint64_t d_model = meta_positive(f, key("embedding_length"));
    const std::uint64_t n_layer = meta_positive(f, key("block_count"));
    const std::uint64_t d_conv = meta_positive(f, key("ssm.conv_kernel"));
    const std::uint64_t d_inner = meta_positive(f, key("ssm.inner_size"));
    const std::uint64_t d_state = meta_positive(f, key("ssm.state_size"));
    const std::uint64_t rank = meta_positive(f, key("ssm.time_step_rank"));
    if (d_inner % d_model != 0) {
        meta_fail(f, key("ssm.inner_size"),
                  str("a multiple of ", key("embedding_length"), " = ", d_model));
    }
    const double eps = meta_float(f, key("attention.layer_norm_rms_epsilon")).value_or(1e-5);
    if (!std::isfinite(eps) || eps < 0)
        meta_fail(f, key("attention.layer_norm_rms_epsilon"), "a finite non-negative number");

    // The vocabulary is the embedding's rows: the converter pads the token list to the same
    // multiple (of 8 for Mamba, 16 for Mamba-2) that the embedding was padded to.
    std::uint64_t vocab = 0;
    if (const GgufTensorInfo* e = f.find_tensor("token_embd.weight")) {
        vocab = static_cast<std::uint64_t>(rows(*e));
    } else if (const auto v = meta_uint(f, key("vocab_size"))) {
        vocab = *v;
    } else if (const GgufValue* tokens = f.find("tokenizer.ggml.tokens")) {
        vocab = tokens->count;
    }
    if (vocab == 0) {
        throw InputError(str(file, ": no tensor 'token_embd.weight', metadata '", key("vocab_size"),
                             "' or 'tokenizer.ggml.tokens' gives the vocabulary size"),
                         file);
    }

    nlohmann::ordered_json j;
    j["architectures"] = {m2 ? "Mamba2ForCausalLM" : "MambaForCausalLM"};
    j["model_type"] = a;
    j["hidden_size"] = d_model;
    j["num_hidden_layers"] = n_layer;
    j["vocab_size"] = vocab;
    j["state_size"] = d_state;
    j["expand"] = d_inner / d_model;
    j["conv_kernel"] = d_conv;
    j["layer_norm_epsilon"] = shortest_float(eps);
    j["use_bias"] = f.find_tensor("blk.0.ssm_in.bias") != nullptr;
    j["use_conv_bias"] = f.find_tensor("blk.0.ssm_conv1d.bias") != nullptr;
    // llama.cpp's converter drops output.weight when it equals the embedding.
    j["tie_word_embeddings"] = f.find_tensor("output.weight") == nullptr;
    if (m2) {
        // Mamba-2 stores the head count as the time-step rank (one dt per head).
        if (d_inner % rank != 0) {
            meta_fail(f, key("ssm.time_step_rank"),
                      str("the head count, a divisor of ", key("ssm.inner_size"), " = ", d_inner));
        }
        const std::uint64_t groups = meta_uint(f, key("ssm.group_count")).value_or(1);
        if (groups == 0 || rank % groups != 0) {
            meta_fail(f, key("ssm.group_count"),
                      str("a positive divisor of the head count ", rank));
        }
        j["num_heads"] = rank;
        j["head_dim"] = d_inner / rank;
        j["n_groups"] = groups;
        j["rms_norm"] = true;
    } else {
        j["intermediate_size"] = d_inner;
        j["time_step_rank"] = rank;
    }
    for (const auto& [gguf_key, hf_key] :
         {std::pair{"tokenizer.ggml.bos_token_id", "bos_token_id"},
          std::pair{"tokenizer.ggml.eos_token_id", "eos_token_id"},
          std::pair{"tokenizer.ggml.padding_token_id", "pad_token_id"}}) {
        if (const auto id = meta_uint(f, gguf_key)) {
            if (*id >= vocab)
                meta_fail(f, gguf_key, str("a token id below the vocabulary size ", vocab));
            j[hf_key] = *id;
        }
    }
    j["torch_dtype"] = "float32";
    return j.dump(2);
}

}  // namespace ssmscope::model
