// A shard index as Hugging Face writes it (model.safetensors.index.json,
// pytorch_model.bin.index.json): {"metadata": {...}, "weight_map": {tensor: shard file name}}.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ssmscope::model {

struct ShardTensors {
    std::filesystem::path path;        // the shard, beside the index
    std::vector<std::string> tensors;  // what the index places in it
};

// The shards the index lists, sorted by file name. Throws InputError naming the index and the
// field when it is not such an object, lists no tensors, names a shard with a directory in it
// (a shard must sit beside the index: "../x" is refused rather than followed), or names a shard
// that does not exist.
std::vector<ShardTensors> read_weight_map(const std::filesystem::path& index);

// Throws InputError naming the index unless `holds(name)` for every tensor placed in the shard.
void check_shard_holds(const std::filesystem::path& index, const ShardTensors& shard,
                       const std::function<bool(std::string_view)>& holds);

}  // namespace ssmscope::model
