// What a checkpoint path names, whatever its format: the tensors, the configuration and the
// tokenizer it carries. A folder (safetensors, single or sharded; pytorch_model.bin, single or
// sharded) or a single file (.safetensors or .bin with config.json beside it; .gguf, which
// carries its configuration and tokenizer itself).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "model/io/tensor_store.hpp"

namespace ssmscope::model {

enum class CheckpointFormat { Safetensors, Pytorch, Gguf };

// "safetensors", "pytorch", "gguf": the names `info` reports and `convert` accepts.
std::string_view format_name(CheckpointFormat);

struct CheckpointSource {
    std::filesystem::path path;  // as given: a folder or a file
    CheckpointFormat format = CheckpointFormat::Safetensors;
    // One line for reports, e.g. "safetensors, 3 shards", "GGUF v3 (Q8_0, F32)".
    std::string format_detail;
    bool sharded = false;
    std::unique_ptr<TensorStore> tensors;

    // config.json's text (Python's NaN literals allowed), or the Hugging Face config a GGUF
    // file's metadata implies; `config_source` names it in messages.
    std::string config_text;
    std::string config_source;

    // The checkpoint's own tokenizer, as tokenizer.json text (a GGUF file's tokenizer.ggml.*
    // turned into one); empty when it has none. `tokenizer_source` names it.
    std::string tokenizer_text;
    std::string tokenizer_source;
};

// What to open for a path a user chose or dropped: a checkpoint file itself (.gguf, .bin, .pt,
// .pth, .safetensors, an *.index.json), but its folder for a file that is only a part of one (a
// shard, config.json, tokenizer.json, anything else); a folder as it is.
std::filesystem::path checkpoint_to_open(const std::filesystem::path& chosen);

// Detects the format and opens it. Throws InputError naming the path and what was expected when
// it is missing or holds no checkpoint, and whatever the format's reader rejects.
CheckpointSource open_checkpoint_source(const std::filesystem::path& path);

}  // namespace ssmscope::model
