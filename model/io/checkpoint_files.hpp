// A checkpoint directory: model.safetensors, or shards listed by model.safetensors.index.json,
// whose "weight_map" maps each tensor name to the file name of its shard.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/io/safetensors.hpp"
#include "model/io/safetensors_writer.hpp"

namespace ssmscope::model {

class CheckpointFiles {
  public:
    // Opens and validates every file of the checkpoint in `dir`. model.safetensors is preferred
    // when both it and an index are present, as transformers does. Throws InputError when the
    // directory is missing, holds neither file, the index is malformed (naming the index and the
    // field), a shard is missing, a tensor of the weight_map is absent from its shard, or one
    // tensor is stored in two shards. Tensors a shard holds beyond the weight_map are kept.
    explicit CheckpointFiles(std::filesystem::path dir);

    const std::filesystem::path& dir() const { return dir_; }
    bool sharded() const { return sharded_; }

    struct Entry {
        const SafetensorsFile* file;
        const TensorInfo* info;
    };
    // The file that holds the tensor and its entry there; nullopt when no file has it.
    std::optional<Entry> find(std::string_view name) const;

    // All tensor names, sorted.
    std::vector<std::string> names() const;

    // The single file, or the shards sorted by file name.
    const std::vector<SafetensorsFile>& files() const { return files_; }

    // The __metadata__ of the first file (shards written together carry the same).
    std::map<std::string, std::string> metadata() const;

  private:
    void open_index(const std::filesystem::path& index);

    std::filesystem::path dir_;
    bool sharded_ = false;
    std::vector<SafetensorsFile> files_;
    std::map<std::string, std::size_t, std::less<>> file_of_;  // tensor name -> index into files_
};

// Writes dir/model.safetensors when the tensors' bytes fit in one shard (max_shard_bytes == 0
// means unlimited), otherwise model-0000k-of-0000n.safetensors plus model.safetensors.index.json
// ({"metadata": {"total_size": N}, "weight_map": {...}}). Tensors are packed in the given order; a
// shard is closed when the next tensor would take its data past max_shard_bytes (headers are not
// counted, as transformers does not count them), and a tensor larger than the limit gets a shard
// of its own. Every shard carries `metadata`. Creates `dir` if needed. Each file is written
// atomically; then the checkpoint files of a previous save that the new layout does not use
// (model.safetensors, model-*-of-*.safetensors, the index) are removed, other files are left.
// The shards come before the index and the removals after, so a reader that prefers
// model.safetensors sees a complete old or new checkpoint, except while shards of the same names
// are being replaced. Everything is validated before the first file is written.
void write_checkpoint_tensors(const std::filesystem::path& dir,
                              std::span<const TensorToWrite> tensors,
                              const std::map<std::string, std::string>& metadata = {},
                              std::uint64_t max_shard_bytes = 0);

}  // namespace ssmscope::model
