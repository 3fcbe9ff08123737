#include "model/io/checkpoint_files.hpp"

#include <system_error>
#include <utility>

#include "base/error.hpp"
#include "base/read_file.hpp"
#include "base/str.hpp"
#include "model/io/checkpoint_names.hpp"
#include "model/io/weight_map.hpp"

namespace ssmscope::model {

CheckpointFiles::CheckpointFiles(std::filesystem::path dir) : dir_(std::move(dir)) {
    const std::string where = dir_.string();
    std::error_code ec;
    if (!std::filesystem::exists(dir_, ec))
        throw InputError(str(where, ": no such directory"), where);
    if (!std::filesystem::is_directory(dir_, ec))
        throw InputError(str(where, ": not a directory (expected a checkpoint directory)"), where);

    const std::filesystem::path single = dir_ / kSingleCheckpointFile;
    const std::filesystem::path index = dir_ / kCheckpointIndexFile;
    if (is_file(single)) {
        files_.emplace_back(single);
    } else if (is_file(index)) {
        sharded_ = true;
        open_index(index);
    } else {
        throw InputError(str(where, ": no checkpoint here: expected ", kSingleCheckpointFile,
                             " or ", kCheckpointIndexFile),
                         where);
    }

    for (std::size_t i = 0; i < files_.size(); ++i) {
        for (const TensorInfo& t : files_[i].tensors()) {
            const auto [it, fresh] = file_of_.emplace(t.name, i);
            if (!fresh)
                throw InputError(
                    str(where, ": tensor '", t.name, "' is stored twice, in ",
                        files_[it->second].path().string(), " and in ", files_[i].path().string()),
                    where);
        }
    }
}

void CheckpointFiles::open_index(const std::filesystem::path& index) {
    for (const ShardTensors& shard : read_weight_map(index)) {
        files_.emplace_back(shard.path);
        check_shard_holds(index, shard, [&](std::string_view name) {
            return files_.back().find(name) != nullptr;
        });
    }
}

std::optional<CheckpointFiles::Entry> CheckpointFiles::find(std::string_view name) const {
    const auto it = file_of_.find(name);
    if (it == file_of_.end())
        return std::nullopt;
    const SafetensorsFile& file = files_[it->second];
    return Entry{&file, file.find(name)};
}

std::vector<std::string> CheckpointFiles::names() const {
    std::vector<std::string> out;
    out.reserve(file_of_.size());
    for (const auto& entry : file_of_)
        out.push_back(entry.first);
    return out;
}

std::map<std::string, std::string> CheckpointFiles::metadata() const {
    return files_.empty() ? std::map<std::string, std::string>{} : files_.front().metadata();
}

}  // namespace ssmscope::model
