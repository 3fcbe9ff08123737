// write_checkpoint_tensors, declared in checkpoint_files.hpp beside the reader it feeds.
#include <set>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/io/atomic_file.hpp"
#include "model/io/checkpoint_files.hpp"
#include "model/io/checkpoint_names.hpp"

namespace ssmscope::model {

namespace {

// Greedy packing in the given order: indices into `tensors`, one vector per shard.
std::vector<std::vector<std::size_t>> plan_shards(std::span<const TensorToWrite> tensors,
                                                  std::uint64_t max_shard_bytes) {
    std::vector<std::vector<std::size_t>> shards;
    std::uint64_t filled = 0;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const std::uint64_t bytes = tensors[i].data.size();
        // filled passes the limit only when one tensor alone is larger than it.
        const bool over =
            max_shard_bytes != 0 && (filled > max_shard_bytes || bytes > max_shard_bytes - filled);
        if (shards.empty() || (over && !shards.back().empty())) {
            shards.emplace_back();
            filled = 0;
        }
        shards.back().push_back(i);
        filled += bytes;
    }
    return shards;
}

void write_index(const std::filesystem::path& path, std::uint64_t total_size,
                 const nlohmann::json& weight_map) {
    const nlohmann::json index = {{"metadata", {{"total_size", total_size}}},
                                  {"weight_map", weight_map}};
    AtomicFile out(path);
    out.write(index.dump(2) + "\n");
    out.commit();
}

// Removes what a previous save left that the new layout does not use.
void remove_stale(const std::filesystem::path& dir, const std::set<std::string>& keep) {
    std::error_code ec;
    std::vector<std::filesystem::path> stale;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (is_checkpoint_file_name(name) && !keep.contains(name))
            stale.push_back(entry.path());
    }
    if (ec)
        throw InputError(str(dir.string(), ": cannot list the directory: ", ec.message()),
                         dir.string());
    for (const std::filesystem::path& p : stale)
        if (!std::filesystem::remove(p, ec) && ec)
            throw InputError(
                str(p.string(), ": cannot remove this file of an earlier save: ", ec.message()),
                p.string());
}

}  // namespace

void write_checkpoint_tensors(const std::filesystem::path& dir,
                              std::span<const TensorToWrite> tensors,
                              const std::map<std::string, std::string>& metadata,
                              std::uint64_t max_shard_bytes) {
    check_tensors_to_write(tensors, dir.string());
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw InputError(str(dir.string(), ": cannot create the directory: ", ec.message()),
                         dir.string());

    const std::vector<std::vector<std::size_t>> plan = plan_shards(tensors, max_shard_bytes);
    std::set<std::string> keep;
    if (plan.size() <= 1) {
        write_safetensors(dir / kSingleCheckpointFile, tensors, metadata);
        keep.emplace(kSingleCheckpointFile);
    } else {
        nlohmann::json weight_map = nlohmann::json::object();
        std::uint64_t total_size = 0;
        for (std::size_t k = 0; k < plan.size(); ++k) {
            const std::string shard = shard_file_name(k + 1, plan.size());
            std::vector<TensorToWrite> part;
            part.reserve(plan[k].size());
            for (std::size_t i : plan[k]) {
                part.push_back(tensors[i]);
                weight_map[tensors[i].name] = shard;
                total_size += tensors[i].data.size();
            }
            write_safetensors(dir / shard, part, metadata);
            keep.insert(shard);
        }
        write_index(dir / kCheckpointIndexFile, total_size, weight_map);
        keep.emplace(kCheckpointIndexFile);
    }
    remove_stale(dir, keep);
}

}  // namespace ssmscope::model
