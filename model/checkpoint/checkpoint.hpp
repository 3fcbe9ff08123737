// Loading a checkpoint (any format open_checkpoint_source reads: a folder of safetensors or
// pytorch_model.bin, single or sharded, or a single .safetensors, .bin or .gguf file; Hugging Face
// or mamba_ssm layout) into a LanguageModel, and saving one in the Hugging Face layout.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/config/model_config.hpp"
#include "model/io/checkpoint_source.hpp"
#include "model/nn/language_model.hpp"

namespace ssmscope::model {

struct LoadOptions {
    // NaN or Inf in a weight is an error unless allowed; then it becomes a warning.
    bool allow_nonfinite = false;
    // The type parameters are converted to. nullopt keeps each tensor as the file stores it and,
    // where the format holds it in place (safetensors; the records of a pytorch_model.bin), as a
    // view of the mapped file: the model then costs no memory until a layer is used, which is
    // how the analysis opens a checkpoint (it converts one block at a time, model/probe).
    std::optional<torch::Dtype> dtype = torch::kFloat32;
    // Called after each tensor is read, with the tensors read and the total: reading a
    // checkpoint of billions of parameters takes a while.
    std::function<void(std::size_t done, std::size_t total)> progress = nullptr;
};

struct LoadedModel {
    std::shared_ptr<LanguageModel> model;
    ModelConfig config;
    std::string stored_dtype;  // "F32", "BF16", ... or "mixed (F32, BF16)"
    bool sharded = false;
    std::string format;         // "safetensors", "pytorch", "gguf"
    std::string format_detail;  // e.g. "safetensors, 3 shards", "GGUF v3 (Q8_0)"
    // The checkpoint's own tokenizer.json text (empty when it has none) and what it came from.
    std::string tokenizer_text;
    std::string tokenizer_source;
    std::vector<std::string> warnings;  // unused tensors, allowed non-finite values, ...
};

// Throws InputError naming the file and tensor: missing tensor, a shape that
// contradicts config.json, a non-float dtype, NaN/Inf (unless allowed), plus everything
// open_checkpoint_source and parse_config reject.
LoadedModel load_checkpoint(const std::filesystem::path& path, const LoadOptions& options = {});

// The same from a source already opened (to look at its tensors' stored types first).
LoadedModel load_checkpoint(CheckpointSource source, const LoadOptions& options = {});

// Writes dir/config.json (Hugging Face layout) and dir/model.safetensors (sharded above
// max_shard_bytes when non-zero), each atomically. Tied LM heads are not stored, as
// transformers does. load_checkpoint(save_checkpoint(m)) reproduces m bit for bit.
void save_checkpoint(LanguageModel& model, const std::filesystem::path& dir,
                     std::uint64_t max_shard_bytes = 0);

// The key a tensor has in the file for the model's (Hugging Face) parameter name: mamba_ssm
// calls the embedding `backbone.embedding.weight`.
std::vector<std::string> stored_names(const std::string& parameter_name);

}  // namespace ssmscope::model
