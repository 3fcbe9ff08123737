#include "model/io/checkpoint_files.hpp"

#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/read_file.hpp"
#include "base/json_parse.hpp"
#include "base/json_reader.hpp"
#include "base/str.hpp"
#include "model/io/checkpoint_names.hpp"

namespace ssmscope::model {

using nlohmann::json;

namespace {

// A shard must sit beside the index: a path with directories in it, or one climbing out with
// "..", is refused rather than followed.
bool is_plain_file_name(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

}  // namespace

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
    const std::string source = index.string();
    const auto fail = [&](const std::string& what) {
        throw InputError(str(source, ": ", what), source);
    };
    const json document = parse_json_object(read_file(index), source);
    const JsonNode root(document, source);

    if (const JsonNode meta = root["metadata"]; !meta.is_absent() && !meta.json().is_object())
        meta.expected("an object");
    const JsonNode map = root["weight_map"];
    if (!map.json().is_object())
        map.expected("an object mapping tensor names to shard files");
    if (map.object().empty())
        map.fail("lists no tensors");

    // Shard file name -> the tensors the index places there; a std::map orders the shards.
    std::map<std::string, std::vector<std::string>> shards;
    for (const auto& [tensor, value] : map.object()) {
        const JsonNode shard = map.entry(tensor);
        if (!shard.json().is_string() || !is_plain_file_name(shard.string()))
            shard.expected("the file name of a shard in the same directory");
        shards[shard.string()].push_back(tensor);
    }

    for (const auto& [shard, tensors] : shards) {
        const std::filesystem::path path = dir_ / shard;
        if (!is_file(path))
            fail(str("weight_map puts tensor '", tensors.front(), "' in shard '", shard, "', but ",
                     path.string(), " does not exist"));
        files_.emplace_back(path);
        for (const std::string& tensor : tensors)
            if (!files_.back().find(tensor))
                fail(str("weight_map puts tensor '", tensor, "' in ", path.string(),
                         ", which has no tensor of that name"));
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
