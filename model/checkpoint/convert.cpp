#include "model/checkpoint/convert.hpp"

#include <set>
#include <system_error>

#include <torch/torch.h>

#include "base/error.hpp"
#include "base/read_file.hpp"
#include "base/str.hpp"
#include "model/checkpoint/checkpoint.hpp"
#include "model/io/atomic_file.hpp"
#include "model/io/checkpoint_names.hpp"
#include "model/io/checkpoint_source.hpp"
#include "model/tokenizer/bpe_tokenizer.hpp"

namespace ssmscope::model {

namespace {

namespace fs = std::filesystem;

std::optional<torch::Dtype> weight_dtype(std::string_view stored) {
    if (stored == "F32")
        return torch::kFloat32;
    if (stored == "BF16")
        return torch::kBFloat16;
    if (stored == "F16")
        return torch::kFloat16;
    if (stored == "F64")
        return torch::kFloat64;
    return std::nullopt;
}

std::string dtype_label(torch::Dtype d) {
    if (d == torch::kBFloat16)
        return "BF16";
    if (d == torch::kFloat16)
        return "F16";
    if (d == torch::kFloat64)
        return "F64";
    return "F32";
}

// The one type every tensor of the source is stored in, when there is one that a weight can
// keep without loss.
torch::Dtype default_dtype(const TensorStore& store) {
    std::set<std::string> types;
    for (const std::string& name : store.names())
        types.insert(store.find(name)->stored_type);
    if (types.size() == 1) {
        if (const auto d = weight_dtype(*types.begin()))
            return *d;
    }
    return torch::kFloat32;
}

bool same_place(const fs::path& a, const fs::path& b) {
    std::error_code ec;
    return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

}  // namespace

ConvertResult convert_checkpoint(const fs::path& src, const fs::path& dst,
                                 const ConvertOptions& options) {
    std::error_code ec;
    if (fs::exists(dst, ec) && !fs::is_directory(dst, ec))
        throw InputError(
            str(dst.string(), ": exists and is not a folder (convert writes a folder)"),
            dst.string());
    const fs::path src_dir = fs::is_directory(src, ec) ? src : src.parent_path();
    // Writing over the files being read would leave neither checkpoint if anything failed.
    if (same_place(src_dir.empty() ? fs::path(".") : src_dir, dst))
        throw InputError(str(dst.string(),
                             ": is the source checkpoint's own folder; convert into "
                             "another folder"),
                         dst.string());

    // Validate the tokenizer before anything is read or written.
    std::string tokenizer_text, tokenizer_source;
    if (!options.tokenizer.empty()) {
        tokenizer_text = read_file(options.tokenizer);
        tokenizer_source = options.tokenizer.string();
        parse_tokenizer_json(tokenizer_text, tokenizer_source);
    }

    CheckpointSource source = open_checkpoint_source(src);
    ConvertResult result;
    result.source_format = std::string(format_name(source.format));
    result.source_detail = source.format_detail;
    const torch::Dtype dtype = options.dtype.value_or(default_dtype(*source.tensors));
    LoadedModel loaded = load_checkpoint(
        std::move(source),
        {.allow_nonfinite = options.allow_nonfinite, .dtype = dtype, .progress = options.progress});
    if (tokenizer_text.empty()) {
        tokenizer_text = std::move(loaded.tokenizer_text);
        tokenizer_source = std::move(loaded.tokenizer_source);
    }
    save_checkpoint(*loaded.model, dst, options.max_shard_bytes);
    if (!tokenizer_text.empty()) {
        AtomicFile file(dst / "tokenizer.json");
        file.write(tokenizer_text);
        file.commit();
    }
    result.dtype = dtype_label(dtype);
    result.tensors = loaded.model->named_parameters().size();
    result.sharded = fs::exists(dst / kCheckpointIndexFile, ec);
    result.tokenizer = tokenizer_source;
    result.warnings = std::move(loaded.warnings);
    return result;
}

}  // namespace ssmscope::model
