#include "model/io/gguf/gguf_names.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace ssmscope::model {

namespace {

// "blk.{i}.rest" -> {i, "rest"}; nullopt for anything else.
std::optional<std::pair<std::string, std::string_view>> split_block(std::string_view name) {
    constexpr std::string_view kPrefix = "blk.";
    if (name.substr(0, kPrefix.size()) != kPrefix)
        return std::nullopt;
    name.remove_prefix(kPrefix.size());
    const auto dot = name.find('.');
    if (dot == 0 || dot == std::string_view::npos)
        return std::nullopt;
    const std::string_view digits = name.substr(0, dot);
    unsigned long long index = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    // Canonical decimal only ("blk.01." is not layer 1), so that two names never meet.
    if (ec != std::errc() || end != digits.data() + digits.size() ||
        (digits.size() > 1 && digits.front() == '0')) {
        return std::nullopt;
    }
    return std::pair{std::string(digits), name.substr(dot + 1)};
}

struct BlockName {
    std::string_view gguf;
    std::string_view hf;  // after backbone.layers.{i}.
    bool mamba1 = true, mamba2 = true;
};

constexpr std::array<BlockName, 15> kBlockNames = {{
    {"attn_norm.weight", "norm.weight"},
    {"ssm_in.weight", "mixer.in_proj.weight"},
    {"ssm_in.bias", "mixer.in_proj.bias"},
    {"ssm_conv1d.weight", "mixer.conv1d.weight"},
    {"ssm_conv1d.bias", "mixer.conv1d.bias"},
    {"ssm_x.weight", "mixer.x_proj.weight", true, false},
    {"ssm_dt.weight", "mixer.dt_proj.weight", true, false},
    {"ssm_dt.bias", "mixer.dt_proj.bias", true, false},
    {"ssm_dt.bias", "mixer.dt_bias", false, true},
    {"ssm_a", "mixer.A_log"},
    {"ssm_d", "mixer.D"},
    {"ssm_norm.weight", "mixer.norm.weight", false, true},
    {"ssm_out.weight", "mixer.out_proj.weight"},
    {"ssm_out.bias", "mixer.out_proj.bias"},
    {"ssm_d.weight", "mixer.D"},  // some converters kept the ".weight" suffix on D
}};

}  // namespace

std::optional<HfTensor> hf_tensor(std::string_view gguf_name, std::vector<std::int64_t> shape,
                                  bool mamba2) {
    if (gguf_name == "token_embd.weight")
        return HfTensor{"backbone.embeddings.weight", std::move(shape)};
    if (gguf_name == "output_norm.weight")
        return HfTensor{"backbone.norm_f.weight", std::move(shape)};
    if (gguf_name == "output.weight")
        return HfTensor{"lm_head.weight", std::move(shape)};
    const auto block = split_block(gguf_name);
    if (!block)
        return std::nullopt;
    const auto& [index, rest] = *block;
    for (const BlockName& b : kBlockNames) {
        if (b.gguf != rest || !(mamba2 ? b.mamba2 : b.mamba1))
            continue;
        HfTensor t{"backbone.layers." + index + "." + std::string(b.hf), std::move(shape)};
        // The converter squeezed conv1d's [C, 1, K] to [C, K].
        if (rest == "ssm_conv1d.weight" && t.shape.size() == 2)
            t.shape.insert(t.shape.begin() + 1, 1);
        // Mamba-2's A and D went from [H] to [H, 1].
        if (mamba2 && (rest == "ssm_a" || rest == "ssm_d" || rest == "ssm_d.weight") &&
            t.shape.size() == 2 && t.shape[1] == 1) {
            t.shape.pop_back();
        }
        // Mamba-2's gated norm went from [E] to [G, E / G].
        if (rest == "ssm_norm.weight" && t.shape.size() == 2)
            t.shape = {t.shape[0] * t.shape[1]};
        t.a_from_neg_exp = rest == "ssm_a";
        return t;
    }
    return std::nullopt;
}

}  // namespace ssmscope::model
