#include "model/checkpoint/checkpoint.hpp"

#include <cstring>
#include <set>

#include <torch/torch.h>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/config/config_json.hpp"
#include "model/io/atomic_file.hpp"
#include "model/io/checkpoint_files.hpp"
#include "model/io/checkpoint_source.hpp"
#include "model/io/shape.hpp"

namespace ssmscope::model {

namespace {

std::optional<torch::Dtype> torch_dtype(DType d) {
    switch (d) {
        case DType::F64:
            return torch::kFloat64;
        case DType::F32:
            return torch::kFloat32;
        case DType::F16:
            return torch::kFloat16;
        case DType::BF16:
            return torch::kBFloat16;
        default:
            return std::nullopt;
    }
}

// config.json's torch_dtype, as transformers names it.
std::string torch_dtype_name(torch::Dtype d) {
    if (d == torch::kFloat64)
        return "float64";
    if (d == torch::kFloat16)
        return "float16";
    if (d == torch::kBFloat16)
        return "bfloat16";
    return "float32";
}

DType file_dtype(torch::Dtype d) {
    if (d == torch::kFloat64)
        return DType::F64;
    if (d == torch::kFloat16)
        return DType::F16;
    if (d == torch::kBFloat16)
        return DType::BF16;
    return DType::F32;
}

std::string shape_str(c10::IntArrayRef shape) {
    return shape_string(std::span<const std::int64_t>(shape.data(), shape.size()));
}

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

// The tensor's values as a torch tensor of the type the store reads it as.
torch::Tensor read_tensor(const TensorStore& store, const StoredTensor& t) {
    const auto dtype = torch_dtype(t.dtype);
    if (!dtype) {
        throw InputError(str(t.file, ": tensor '", t.name, "' has dtype ", t.stored_type,
                             ", but model weights must be F64, F32, F16 or BF16"),
                         t.name);
    }
    torch::Tensor out = torch::empty(t.shape, torch::TensorOptions().dtype(*dtype));
    store.read(t, std::span(static_cast<std::byte*>(out.data_ptr()), out.nbytes()));
    return out;
}

void check_finite(const torch::Tensor& t, const std::string& file, const std::string& name,
                  bool allow, std::vector<std::string>& warnings) {
    const torch::Tensor bad = ~torch::isfinite(t);
    const std::int64_t count = bad.sum().item<std::int64_t>();
    if (count == 0)
        return;
    const std::int64_t first = bad.reshape(-1).nonzero().select(1, 0)[0].item<std::int64_t>();
    const std::string msg =
        str(file, ": tensor '", name, "' has ", count,
            " non-finite value(s) (NaN or Inf), the first at flat index ", first);
    if (!allow)
        throw InputError(msg + "; pass --allow-nonfinite to load it anyway", name);
    warnings.push_back(msg);
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

std::vector<std::string> stored_names(const std::string& name) {
    static const std::string hf = "backbone.embeddings.", original = "backbone.embedding.";
    if (name.rfind(hf, 0) == 0)
        return {name, original + name.substr(hf.size())};
    return {name};
}

LoadedModel load_checkpoint(const std::filesystem::path& path, const LoadOptions& options) {
    return load_checkpoint(open_checkpoint_source(path), options);
}

LoadedModel load_checkpoint(CheckpointSource source, const LoadOptions& options) {
    LoadedModel out;
    const TensorStore& files = *source.tensors;
    const std::filesystem::path dir = source.path;
    out.config = parse_config_text(source.config_text, source.config_source);
    infer_from_tensors(out.config, files);
    validate(out.config, source.config_source);
    out.sharded = source.sharded;
    out.format = std::string(format_name(source.format));
    out.format_detail = source.format_detail;
    out.tokenizer_text = std::move(source.tokenizer_text);
    out.tokenizer_source = std::move(source.tokenizer_source);
    out.model = std::make_shared<LanguageModel>(out.config);
    out.model->to(options.dtype);

    // Match every parameter first, so one run reports every missing or misshapen tensor.
    struct Match {
        torch::Tensor param;
        const StoredTensor* entry;
        std::string key;
    };
    std::vector<Match> matches;
    std::vector<std::string> problems;
    for (auto& item : out.model->named_parameters()) {
        const std::string& name = item.key();
        const torch::Tensor& param = item.value();
        const StoredTensor* entry = nullptr;
        std::string key;
        for (const std::string& candidate : stored_names(name)) {
            if ((entry = files.find(candidate))) {
                key = candidate;
                break;
            }
        }
        if (!entry) {
            problems.push_back(str(dir.string(), ": missing tensor '", name, "' (shape ",
                                   shape_str(param.sizes()), ") that a ",
                                   arch_name(out.config.arch), " model with config.json's ",
                                   sizes_summary(out.config), " needs"));
        } else if (c10::IntArrayRef(entry->shape) != param.sizes()) {
            problems.push_back(str(entry->file, ": tensor '", key, "' has shape ",
                                   shape_string(entry->shape), " but config.json (",
                                   sizes_summary(out.config), ") implies ",
                                   shape_str(param.sizes())));
        } else {
            matches.push_back({param, entry, key});
        }
    }
    if (!problems.empty()) {
        std::string msg = problems.front();
        constexpr std::size_t kListed = 12;
        for (std::size_t k = 1; k < std::min(problems.size(), kListed); ++k) {
            msg += "\n  also: " + problems[k];
        }
        if (problems.size() > kListed) {
            msg += str("\n  and ", problems.size() - kListed, " more");
        }
        throw InputError(msg, dir.string());
    }

    std::set<std::string> used, dtypes;
    torch::NoGradGuard no_grad;
    std::size_t done = 0;
    for (auto& [param, entry, key] : matches) {
        const torch::Tensor t = read_tensor(files, *entry);
        if (options.progress)
            options.progress(++done, matches.size());
        check_finite(t, entry->file, key, options.allow_nonfinite, out.warnings);
        param.copy_(t);
        used.insert(key);
        dtypes.insert(entry->stored_type);
    }
    if (out.config.tie_embeddings) {
        if (const StoredTensor* head = files.find("lm_head.weight")) {
            used.insert("lm_head.weight");
            const torch::Tensor t = read_tensor(files, *head);
            if (t.sizes() != out.model->lm_head_weight().sizes() ||
                !torch::equal(t.to(options.dtype), out.model->lm_head_weight())) {
                out.warnings.push_back(
                    "lm_head.weight is stored but differs from the embedding, and config.json ties "
                    "them: the embedding is used");
            }
        }
    }
    for (const std::string& name : files.names()) {
        if (!used.count(name)) {
            out.warnings.push_back(
                str("tensor '", name, "' is not used by a ", arch_name(out.config.arch), " model"));
        }
    }
    for (const std::string& d : dtypes) {
        out.stored_dtype += (out.stored_dtype.empty() ? "" : ", ") + d;
    }
    if (dtypes.size() > 1)
        out.stored_dtype = "mixed (" + out.stored_dtype + ")";
    return out;
}

void save_checkpoint(LanguageModel& model, const std::filesystem::path& dir,
                     std::uint64_t max_shard_bytes) {
    std::filesystem::create_directories(dir);
    std::vector<torch::Tensor> keep;  // owns the contiguous CPU copies the spans point into
    std::vector<TensorToWrite> tensors;
    for (const auto& item : model.named_parameters()) {
        const torch::Tensor t = item.value().detach().to(torch::kCPU).contiguous();
        keep.push_back(t);
        tensors.push_back(
            TensorToWrite{item.key(), file_dtype(t.scalar_type()), t.sizes().vec(),
                          std::span(static_cast<const std::byte*>(t.data_ptr()), t.nbytes())});
    }
    write_checkpoint_tensors(dir, tensors, {{"format", "pt"}}, max_shard_bytes);
    ModelConfig config = model.config();
    config.torch_dtype = torch_dtype_name(model.lm_head_weight().scalar_type());
    AtomicFile json(dir / "config.json");
    json.write(to_hf_json(config).dump(2) + "\n");
    json.commit();
}

}  // namespace ssmscope::model
