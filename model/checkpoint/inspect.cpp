#include "model/checkpoint/inspect.hpp"

#include <set>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/checkpoint/checkpoint.hpp"
#include "model/config/config_json.hpp"
#include "model/config/tensor_shapes.hpp"
#include "model/io/shape.hpp"

namespace ssmscope::model {

namespace {

std::string sizes_summary(const ModelConfig& c) {
    std::string s = str("d_model=", c.d_model, ", d_inner=", c.d_inner(), ", d_state=", c.d_state,
                        ", d_conv=", c.d_conv, ", vocab=", c.padded_vocab());
    if (c.mamba2_family()) {
        s += str(", heads=", c.nheads(), ", head_dim=", c.headdim, ", n_groups=", c.ngroups);
    } else {
        s += str(", dt_rank=", c.dt_rank);
    }
    return s;
}

// Fields config.json left out that the tensors decide: use_bias (Mamba-1) by the presence of
// in_proj.bias, n_groups (Mamba-2) by the rows of in_proj, 2E + 2GN + H (ST: 2E + GN + H).
void infer_from_tensors(ModelConfig& c, const TensorStore& files) {
    const std::string mixer = "backbone.layers.0.mixer.";
    if (c.proj_bias_unknown)
        c.proj_bias = files.find(mixer + "in_proj.bias") != nullptr;
    if (c.ngroups_unknown && c.mamba2_family()) {
        const StoredTensor* in_proj = files.find(mixer + "in_proj.weight");
        if (!in_proj || in_proj->shape.size() != 2)
            return;
        const std::int64_t per_group = c.d_state * (c.arch == Arch::StMamba2 ? 1 : 2);
        const std::int64_t rest = in_proj->shape[0] - 2 * c.d_inner() - c.nheads();
        if (rest > 0 && rest % per_group == 0 && c.nheads() % (rest / per_group) == 0) {
            c.ngroups = rest / per_group;
        }
    }
}

}  // namespace

CheckpointContents inspect_checkpoint(const CheckpointSource& source) {
    CheckpointContents out;
    const TensorStore& files = *source.tensors;
    out.config = parse_config_text(source.config_text, source.config_source);
    infer_from_tensors(out.config, files);
    validate(out.config, source.config_source);

    // Match every parameter first, so one run reports every missing or misshapen tensor.
    std::vector<std::string> problems;
    std::set<std::string> used, dtypes;
    for (const TensorShape& p : parameter_shapes(out.config)) {
        const StoredTensor* entry = nullptr;
        for (const std::string& candidate : stored_names(p.name))
            if ((entry = files.find(candidate)))
                break;
        out.parameters += checked_numel(p.shape).value_or(0);
        if (!entry) {
            problems.push_back(str(source.path.string(), ": missing tensor '", p.name, "' (shape ",
                                   shape_string(p.shape), ") that a ", arch_name(out.config.arch),
                                   " model with config.json's ", sizes_summary(out.config),
                                   " needs"));
        } else if (entry->shape != p.shape) {
            problems.push_back(str(entry->file, ": tensor '", entry->name, "' has shape ",
                                   shape_string(entry->shape), " but config.json (",
                                   sizes_summary(out.config), ") implies ", shape_string(p.shape)));
        } else {
            out.tensors.push_back({p.name, entry});
            used.insert(entry->name);
            dtypes.insert(entry->stored_type);
        }
    }
    if (!problems.empty()) {
        std::string msg = problems.front();
        constexpr std::size_t kListed = 12;
        for (std::size_t k = 1; k < std::min(problems.size(), kListed); ++k)
            msg += "\n  also: " + problems[k];
        if (problems.size() > kListed)
            msg += str("\n  and ", problems.size() - kListed, " more");
        throw InputError(msg, source.path.string());
    }
    // A tied head stored anyway is the embedding's copy (load_checkpoint compares the values).
    if (out.config.tie_embeddings && files.find("lm_head.weight"))
        used.insert("lm_head.weight");
    for (const std::string& name : files.names()) {
        if (!used.count(name)) {
            out.warnings.push_back(
                str("tensor '", name, "' is not used by a ", arch_name(out.config.arch), " model"));
        }
    }
    for (const std::string& d : dtypes)
        out.stored_dtype += (out.stored_dtype.empty() ? "" : ", ") + d;
    if (dtypes.size() > 1)
        out.stored_dtype = "mixed (" + out.stored_dtype + ")";
    return out;
}

}  // namespace ssmscope::model
