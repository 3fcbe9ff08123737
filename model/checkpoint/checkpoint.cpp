#include "model/checkpoint/checkpoint.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>
#include <stdexcept>

#include <torch/torch.h>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/checkpoint/inspect.hpp"
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

// The tensor as the file stores it: a view of the store's mapping where the file holds it in
// place and aligned for its type, which costs no memory until it is used; else read.
torch::Tensor read_or_map_tensor(const std::shared_ptr<const TensorStore>& store,
                                 const StoredTensor& t) {
    const std::span<const std::byte> bytes = store->mapped(t);
    const auto dtype = torch_dtype(t.dtype);
    if (bytes.empty() || !dtype || bytes.size() != t.read_bytes() ||
        reinterpret_cast<std::uintptr_t>(bytes.data()) % dtype_size(t.dtype) != 0) {
        return read_tensor(*store, t);
    }
    // The mapping is private and writable (MappedFile), so the const_cast cannot reach the file.
    void* data = const_cast<std::byte*>(bytes.data());
    return torch::from_blob(
        data, t.shape, [store](void*) {}, torch::TensorOptions().dtype(*dtype));
}

void check_finite(const torch::Tensor& t, const std::string& file, const std::string& name,
                  bool allow, std::vector<std::string>& warnings) {
    // The sum in double is finite exactly when every value is: no sum of float32 (or narrower)
    // values overflows a double, and a NaN or Inf makes any sum NaN or infinite. One pass with
    // no tensor the size of the weight, which the mask below would be.
    if (std::isfinite(t.sum(torch::kDouble).item<double>()))
        return;
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
    CheckpointContents contents = inspect_checkpoint(source);
    // Shared with every tensor that views its mapping, which must outlive them.
    const std::shared_ptr<const TensorStore> files(std::move(source.tensors));
    LoadedModel out;
    out.config = contents.config;
    out.sharded = source.sharded;
    out.format = std::string(format_name(source.format));
    out.format_detail = source.format_detail;
    out.tokenizer_text = std::move(source.tokenizer_text);
    out.tokenizer_source = std::move(source.tokenizer_source);
    out.stored_dtype = contents.stored_dtype;
    // Every parameter is replaced below, so none is drawn (or even written) first.
    out.model = std::make_shared<LanguageModel>(out.config, Init::None);

    torch::NoGradGuard no_grad;
    const auto params = out.model->named_parameters();
    std::set<std::string> loaded;
    std::size_t done = 0;
    for (const MatchedTensor& m : contents.tensors) {
        torch::Tensor t =
            options.dtype ? read_tensor(*files, *m.stored) : read_or_map_tensor(files, *m.stored);
        if (options.progress)
            options.progress(++done, contents.tensors.size());
        check_finite(t, m.stored->file, m.stored->name, options.allow_nonfinite, out.warnings);
        const torch::Tensor& param = params[m.parameter];
        if (t.sizes() != param.sizes()) {
            // inspect_checkpoint has matched the element counts; a format may store a tensor
            // with dimensions of size 1 dropped (GGUF's conv weights).
            t = t.reshape(param.sizes());
        }
        // The parameter takes the tensor itself (no copy when it already has the type).
        param.set_data(options.dtype ? t.to(*options.dtype) : t);
        loaded.insert(m.parameter);
    }
    for (const auto& p : params) {
        if (!loaded.contains(p.key()))
            throw std::logic_error(str("load_checkpoint: no tensor for ", p.key()));
    }
    if (out.config.tie_embeddings) {
        if (const StoredTensor* head = files->find("lm_head.weight")) {
            const torch::Tensor t = read_tensor(*files, *head);
            const torch::Tensor w = out.model->lm_head_weight();
            if (t.sizes() != w.sizes() || !torch::equal(t.to(w.scalar_type()), w)) {
                out.warnings.push_back(
                    "lm_head.weight is stored but differs from the embedding, and config.json ties "
                    "them: the embedding is used");
            }
        }
    }
    out.warnings.insert(out.warnings.end(), contents.warnings.begin(), contents.warnings.end());
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
