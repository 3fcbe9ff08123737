// Any checkpoint ssmscope reads (a safetensors or pytorch_model.bin folder, a single .bin,
// .safetensors or .gguf file) rewritten in the Hugging Face safetensors layout, which
// transformers, mamba_ssm's loaders and ssmscope all read: config.json, model.safetensors (or
// shards with their index) and tokenizer.json when a tokenizer is known.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

namespace ssmscope::model {

struct ConvertOptions {
    // The element type written; by default the one the source stores when every weight has the
    // same F32, F16, BF16 or F64 type, else F32 (quantised GGUF weights are dequantised to F32).
    std::optional<torch::Dtype> dtype = std::nullopt;
    std::uint64_t max_shard_bytes = 0;  // 0: one model.safetensors
    bool allow_nonfinite = false;
    // A tokenizer.json to write instead of the checkpoint's own (the state-spaces checkpoints
    // ship none); empty: the checkpoint's, if it has one.
    std::filesystem::path tokenizer = {};
    std::function<void(std::size_t done, std::size_t total)> progress = nullptr;  // per tensor read
};

struct ConvertResult {
    std::string source_format;  // "safetensors", "pytorch", "gguf"
    std::string source_detail;
    std::string dtype;  // written: "F32", "BF16", ...
    std::size_t tensors = 0;
    bool sharded = false;
    std::string tokenizer;  // the tokenizer.json's source; empty when none was written
    std::vector<std::string> warnings;
};

// Throws InputError when the source cannot be read (see load_checkpoint), when `dst` is an
// existing file or the source's own folder, or when the tokenizer given is not a readable
// tokenizer.json. Each file is written atomically; a failure leaves `dst` as it was, apart from
// files already complete.
ConvertResult convert_checkpoint(const std::filesystem::path& src, const std::filesystem::path& dst,
                                 const ConvertOptions& options = {});

}  // namespace ssmscope::model
