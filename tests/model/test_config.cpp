// config.json of the three layouts and the Sparse variants; sizes of public checkpoints computed
// by hand; errors naming the field.
#include <cmath>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "base/error.hpp"
#include "model/config/config_json.hpp"
#include "model/config/sizes.hpp"
#include "tests/model/fixtures.hpp"

using namespace ssmscope;
using namespace ssmscope::model;
using nlohmann::json;

namespace {

std::string error_of(const json& j) {
    try {
        parse_config(j, "config.json");
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

const json kMamba130mHf = json::parse(R"({
  "architectures": ["MambaForCausalLM"], "model_type": "mamba", "hidden_size": 768,
  "state_size": 16, "num_hidden_layers": 24, "vocab_size": 50280, "expand": 2,
  "conv_kernel": 4, "use_bias": false, "use_conv_bias": true, "time_step_rank": 48,
  "layer_norm_epsilon": 1e-05, "bos_token_id": 0, "eos_token_id": 0, "pad_token_id": 0})");

}  // namespace

BOOST_AUTO_TEST_CASE(hugging_face_mamba) {
    const ModelConfig c = parse_config(kMamba130mHf, "config.json");
    BOOST_TEST((c.arch == Arch::Mamba));
    BOOST_TEST((c.layout == Layout::HuggingFace));
    BOOST_TEST(c.d_inner() == 1536);
    BOOST_TEST(c.dt_rank == 48);
    BOOST_TEST(c.padded_vocab() == 50280);
    BOOST_TEST(c.tie_embeddings);
    BOOST_TEST(!c.proj_bias);
    // Mamba-130m by hand: embedding 50280·768 = 38,615,040; per layer in_proj 2,359,296 + conv
    // 7,680 + x_proj 122,880 + dt_proj 75,264 + A_log 24,576 + D 1,536 + out_proj 1,179,648 +
    // norm 768 = 3,771,648; 24 layers + norm_f 768.
    BOOST_TEST(parameter_count(c).per_layer == 3771648);
    BOOST_TEST(parameter_count(c).total == 38615040 + 24 * 3771648 + 768);
    json automatic = kMamba130mHf;
    automatic["time_step_rank"] = "auto";
    BOOST_TEST(parse_config(automatic, "config.json").dt_rank == 48);  // ceil(768 / 16)
}

BOOST_AUTO_TEST_CASE(hugging_face_falcon_mamba) {
    // tiiuae/falcon-mamba-7b's config.json: "expand": 16 contradicts "intermediate_size": 8192,
    // and transformers builds the layers 8192 wide; mixer_rms_eps is left to its default 1e-6.
    const json j = json::parse(R"({
      "architectures": ["FalconMambaForCausalLM"], "bos_token_id": 0, "conv_kernel": 4,
      "eos_token_id": 11, "expand": 16, "hidden_act": "silu", "hidden_size": 4096,
      "initializer_range": 0.1, "intermediate_size": 8192, "layer_norm_epsilon": 1e-05,
      "model_type": "falcon_mamba", "num_hidden_layers": 64, "pad_token_id": 11,
      "rescale_prenorm_residual": false, "residual_in_fp32": true, "state_size": 16,
      "tie_word_embeddings": false, "time_step_floor": 0.0001, "time_step_init_scheme": "random",
      "time_step_max": 0.1, "time_step_min": 0.001, "time_step_rank": 256,
      "time_step_scale": 1.0, "torch_dtype": "bfloat16", "use_bias": false, "use_cache": true,
      "use_conv_bias": true, "vocab_size": 65024})");
    const ModelConfig c = parse_config(j, "config.json");
    BOOST_TEST((c.arch == Arch::Mamba));
    BOOST_TEST(c.falcon_mamba());
    BOOST_TEST(*c.mixer_rms_eps == 1e-6);
    BOOST_TEST(architecture_name(c) == "falcon-mamba");
    BOOST_TEST(c.d_inner() == 8192);
    BOOST_TEST(c.dt_rank == 256);
    BOOST_TEST(!c.tie_embeddings);
    // By hand, per layer: in_proj 2·8192·4096 = 67,108,864; conv 8192·4 + 8192 = 40,960; x_proj
    // (256 + 32)·8192 = 2,359,296; dt_proj 8192·256 + 8192 = 2,105,344; A_log 131,072; D 8192;
    // out_proj 33,554,432; norm 4096: 105,312,256. With two 65024 × 4096 embeddings and norm_f:
    // 7,272,665,088, the 7.27B TII publishes. The norms of B, C and Δ have no weights.
    BOOST_TEST(parameter_count(c).per_layer == 105312256);
    BOOST_TEST(parameter_count(c).total == 7272665088);
    // Written back as falcon_mamba with its eps, and read again the same.
    const ModelConfig again = parse_config(json::parse(to_hf_json(c).dump()), "config.json");
    BOOST_TEST(to_hf_json(again) == to_hf_json(c));
    BOOST_TEST(to_hf_json(c)["model_type"] == "falcon_mamba");
    BOOST_TEST(to_hf_json(c)["mixer_rms_eps"] == 1e-6);
    BOOST_TEST(to_hf_json(c)["expand"] == 2);
    json bad = j;
    bad["mixer_rms_eps"] = 0;
    BOOST_TEST(error_of(bad) ==
               "config.json: mixer_rms_eps: expected a positive number, found the number 0");
    bad = j;
    bad["ssm_form"] = "controllable";
    BOOST_TEST(error_of(bad).find("config.json: ssm_form: expected \"diagonal\" or absent for "
                                  "a falcon_mamba model") == 0);
    bad = j;
    bad["intermediate_size"] = 5000;
    BOOST_TEST(error_of(bad).find("intermediate_size: expected a multiple of hidden_size 4096") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(original_mamba_ssm_layout) {
    const json j = json::parse(R"({"d_model": 768, "n_layer": 24, "vocab_size": 50277,
        "ssm_cfg": {}, "rms_norm": true, "residual_in_fp32": true, "fused_add_norm": true,
        "pad_vocab_size_multiple": 8})");
    const ModelConfig c = parse_config(j, "config.json");
    BOOST_TEST((c.layout == Layout::MambaSsm));
    BOOST_TEST((c.arch == Arch::Mamba));
    BOOST_TEST(c.padded_vocab() == 50280);  // 50277 rounded up to a multiple of 8
    BOOST_TEST(c.d_state == 16);
    BOOST_TEST(c.dt_rank == 48);

    json m2 = j;
    m2["ssm_cfg"] = {{"layer", "Mamba2"}};
    const ModelConfig c2 = parse_config(m2, "config.json");
    BOOST_TEST((c2.arch == Arch::Mamba2));
    BOOST_TEST(c2.d_state == 128);  // Mamba2's default
    BOOST_TEST(c2.nheads() == 24);  // 1536 / 64
    BOOST_TEST(c2.ngroups == 1);
}

BOOST_AUTO_TEST_CASE(mamba2_infinity_written_by_python) {
    test::TempDir dir;
    std::ofstream(dir / "config.json") << R"({"model_type": "mamba2", "hidden_size": 64,
        "num_hidden_layers": 2, "vocab_size": 100, "num_heads": 2, "head_dim": 64,
        "state_size": 16, "n_groups": 1, "time_step_limit": [0.0, Infinity],
        "note": "Infinity inside a string stays"})";
    const ModelConfig c = load_config(dir.path());
    BOOST_TEST(std::isinf(c.dt_limit_hi));
    BOOST_TEST(c.dt_limit_lo == 0.0);
    BOOST_TEST(!c.tie_embeddings);  // transformers' Mamba2Config default
}

BOOST_AUTO_TEST_CASE(sparse_variants_and_round_trip) {
    json j = kMamba130mHf;
    j["ssm_form"] = "controllable";
    BOOST_TEST((parse_config(j, "config.json").arch == Arch::ScMamba));
    j["ssm_form"] = "observable";
    BOOST_TEST((parse_config(j, "config.json").arch == Arch::SoMamba));
    for (Arch arch : {Arch::Mamba, Arch::Mamba2, Arch::ScMamba, Arch::SoMamba, Arch::StMamba2}) {
        const ModelConfig c = test::tiny_config(arch);
        const ModelConfig back = parse_config(json::parse(to_hf_json(c).dump()), "config.json");
        BOOST_TEST((back.arch == arch));
        BOOST_TEST(parameter_count(back).total == parameter_count(c).total);
    }
}

BOOST_AUTO_TEST_CASE(errors_name_the_field) {
    // Each message names the file, the field's path and what was expected there.
    const auto check = [](const json& j, const std::string& message) {
        BOOST_TEST(error_of(j).find(message) != std::string::npos, error_of(j));
    };
    json j = kMamba130mHf;
    j.erase("hidden_size");
    check(j, "config.json: hidden_size: missing (expected a positive integer)");
    j = kMamba130mHf;
    j["hidden_size"] = -4;
    check(j, "config.json: hidden_size: expected a positive integer, found the number -4");
    j = kMamba130mHf;
    j["use_bias"] = "no";
    check(j, "config.json: use_bias: expected true or false, found the string \"no\"");
    j = kMamba130mHf;
    j["ssm_form"] = "diagonalish";
    check(j,
          "config.json: ssm_form: expected \"controllable\" or \"observable\" for a mamba "
          "model, found the string \"diagonalish\"");
    j = kMamba130mHf;
    j["model_type"] = "llama";
    check(j,
          "config.json: model_type: expected \"mamba\", \"falcon_mamba\" or \"mamba2\", found "
          "the string \"llama\"");
    const json attn =
        json::parse(R"({"d_model": 64, "n_layer": 2, "vocab_size": 10, "attn_layer_idx": [1]})");
    check(attn, "config.json: attn_layer_idx: expected an empty list");
    const json mlp =
        json::parse(R"({"d_model": 64, "n_layer": 2, "vocab_size": 10, "d_intermediate": 128})");
    check(mlp,
          "config.json: d_intermediate: expected 0 (blocks with an MLP are not supported), "
          "found the number 128");
    // A field of the nested ssm_cfg object is named by its path.
    const json nested = json::parse(
        R"({"d_model": 64, "n_layer": 2, "vocab_size": 10, "ssm_cfg": {"d_state": 0}})");
    check(nested, "config.json: ssm_cfg.d_state: expected a positive integer, found the number 0");
    const json heads =
        json::parse(R"({"model_type": "mamba2", "hidden_size": 64, "num_hidden_layers": 1,
        "vocab_size": 10, "head_dim": 48})");
    BOOST_TEST(error_of(heads).find("head_dim 48") != std::string::npos, error_of(heads));
    check(json::array(), "config.json: top level: expected an object, found an empty array");
}
