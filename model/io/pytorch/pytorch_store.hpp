// PyTorch checkpoints (pytorch_model.bin, torch.save's zip format) read without running anything
// from the file.
#pragma once

#include <filesystem>

#include "model/io/safetensors_store.hpp"

namespace ssmscope::model {

// `path` is a .bin file, or pytorch_model.bin.index.json listing shards beside it.
OpenedStore open_pytorch_store(const std::filesystem::path& path);

}  // namespace ssmscope::model
