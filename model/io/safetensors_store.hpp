// The safetensors checkpoint as a TensorStore: a folder (model.safetensors or the shards of
// model.safetensors.index.json) or a single .safetensors file.
#pragma once

#include <filesystem>
#include <memory>

#include "model/io/tensor_store.hpp"

namespace ssmscope::model {

struct OpenedStore {
    std::unique_ptr<TensorStore> tensors;
    bool sharded = false;
    std::string detail;  // e.g. "safetensors, 3 shards"
};

// Throws InputError as CheckpointFiles and SafetensorsFile do.
OpenedStore open_safetensors_store(const std::filesystem::path& dir_or_file);

}  // namespace ssmscope::model
