#include "tests/model/fixtures.hpp"

#include <fstream>
#include <random>

#include <torch/torch.h>

#include "model/checkpoint/checkpoint.hpp"
#include "model/io/checkpoint_files.hpp"

namespace ssmscope::test {

using namespace ssmscope::model;

ModelConfig tiny_config(Arch arch, bool tied) {
    ModelConfig c;
    c.arch = arch;
    c.d_model = 16;
    c.n_layer = 2;
    c.vocab_size = 56;
    c.d_state = 4;
    c.d_conv = 4;
    c.expand = 2;
    c.dt_rank = 2;
    c.headdim = 8;
    c.ngroups = 2;
    c.chunk_size = 4;
    c.proj_bias = arch == Arch::Mamba;  // one architecture exercises the optional biases
    c.tie_embeddings = tied;
    c.dt_min = 0.1;
    c.dt_max = 1.0;
    c.coeff_init_lo = 0.5;
    c.coeff_init_hi = 1.5;
    return c;
}

std::shared_ptr<LanguageModel> tiny_model(Arch arch, bool tied, std::uint64_t seed) {
    torch::manual_seed(seed);
    auto m = std::make_shared<LanguageModel>(tiny_config(arch, tied));
    // Biases start at zero; give them values so that a bias dropped on the way would show.
    torch::NoGradGuard no_grad;
    for (auto& item : m->named_parameters()) {
        if (item.key().find("proj.bias") != std::string::npos &&
            item.key().find("dt_proj") == std::string::npos) {
            item.value().uniform_(-0.1, 0.1);
        }
        if (item.key().find("norm") != std::string::npos)
            item.value().uniform_(0.5, 1.5);
    }
    return m;
}

NaiveWeights naive_weights(LanguageModel& m) {
    NaiveWeights w;
    for (const auto& item : m.named_parameters()) {
        const torch::Tensor t = item.value().detach().to(torch::kFloat64).contiguous();
        NaiveTensor n;
        n.shape = t.sizes().vec();
        n.v.assign(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
        w[item.key()] = std::move(n);
    }
    return w;
}

NaiveConfig naive_config(const ModelConfig& c) {
    NaiveConfig n;
    n.mamba2 = c.mamba2_family();
    n.d_model = c.d_model;
    n.n_layer = c.n_layer;
    n.vocab = c.padded_vocab();
    n.d_state = c.d_state;
    n.d_conv = c.d_conv;
    n.d_inner = c.d_inner();
    n.dt_rank = c.dt_rank;
    n.nheads = c.nheads();
    n.headdim = c.headdim;
    n.ngroups = c.ngroups;
    n.norm_groups = c.ngroups;
    n.eps = c.norm_eps;
    n.tied = c.tie_embeddings;
    n.falcon = c.falcon_mamba();
    n.mixer_rms_eps = c.mixer_rms_eps.value_or(0.0);
    return n;
}

void write_json(const std::filesystem::path& file, const nlohmann::json& j) {
    std::ofstream(file) << j.dump(2);
}

nlohmann::json read_json(const std::filesystem::path& file) {
    std::ifstream in(file);
    return nlohmann::json::parse(in);
}

void rewrite_tensors(const std::filesystem::path& dir,
                     const std::function<void(std::vector<TensorToWrite>&,
                                              std::vector<std::vector<std::byte>>&)>& edit) {
    std::vector<TensorToWrite> tensors;
    std::vector<std::vector<std::byte>> bytes;
    {
        const CheckpointFiles files(dir);  // closed (unmapped) before the file is replaced
        for (const std::string& name : files.names()) {
            const auto e = *files.find(name);
            const auto d = e.file->data(*e.info);
            bytes.emplace_back(d.begin(), d.end());
            tensors.push_back({name, e.info->dtype, e.info->shape, {}});
        }
    }
    edit(tensors, bytes);
    for (std::size_t i = 0; i < tensors.size(); ++i)
        tensors[i].data = bytes[i];
    write_checkpoint_tensors(dir, tensors);
}

void save_mamba_ssm_layout(LanguageModel& m, const std::filesystem::path& dir) {
    save_checkpoint(m, dir);
    rewrite_tensors(dir, [](auto& tensors, auto&) {
        for (auto& t : tensors) {
            if (t.name == "backbone.embeddings.weight")
                t.name = "backbone.embedding.weight";
        }
    });
    const ModelConfig& c = m.config();
    nlohmann::json ssm_cfg = {{"d_state", c.d_state}, {"d_conv", c.d_conv}, {"expand", c.expand}};
    if (c.mamba2_family()) {
        ssm_cfg["layer"] = "Mamba2";
        ssm_cfg["headdim"] = c.headdim;
        ssm_cfg["ngroups"] = c.ngroups;
        ssm_cfg["chunk_size"] = c.chunk_size;
    } else {
        ssm_cfg["dt_rank"] = c.dt_rank;
        ssm_cfg["bias"] = c.proj_bias;
    }
    write_json(dir / "config.json", {{"d_model", c.d_model},
                                     {"d_intermediate", 0},
                                     {"n_layer", c.n_layer},
                                     {"vocab_size", 50},
                                     {"ssm_cfg", ssm_cfg},
                                     {"attn_layer_idx", nlohmann::json::array()},
                                     {"rms_norm", true},
                                     {"residual_in_fp32", true},
                                     {"fused_add_norm", true},
                                     {"pad_vocab_size_multiple", 8},
                                     {"tie_embeddings", c.tie_embeddings}});
}

double rel_diff(const torch::Tensor& a, const torch::Tensor& b) {
    const torch::Tensor bd = b.to(torch::kFloat64);
    return (a.to(torch::kFloat64) - bd).abs().max().item<double>() / bd.abs().max().item<double>();
}

}  // namespace ssmscope::test
