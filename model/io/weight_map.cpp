#include "model/io/weight_map.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/json_parse.hpp"
#include "base/json_reader.hpp"
#include "base/read_file.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

namespace {

bool is_plain_file_name(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

}  // namespace

std::vector<ShardTensors> read_weight_map(const std::filesystem::path& index) {
    const std::string source = index.string();
    const nlohmann::json document = parse_json_object(read_file(index), source);
    const JsonNode root(document, source);

    if (const JsonNode meta = root["metadata"]; !meta.is_absent() && !meta.json().is_object())
        meta.expected("an object");
    const JsonNode map = root["weight_map"];
    if (!map.json().is_object())
        map.expected("an object mapping tensor names to shard files");
    if (map.object().empty())
        map.fail("lists no tensors");

    // A std::map orders the shards by file name.
    std::map<std::string, std::vector<std::string>> by_shard;
    for (const auto& [tensor, value] : map.object()) {
        const JsonNode shard = map.entry(tensor);
        if (!shard.json().is_string() || !is_plain_file_name(shard.string()))
            shard.expected("the file name of a shard in the same directory");
        by_shard[shard.string()].push_back(tensor);
    }

    const std::filesystem::path dir = index.has_parent_path() ? index.parent_path() : ".";
    std::vector<ShardTensors> out;
    for (auto& [shard, tensors] : by_shard) {
        std::filesystem::path path = dir / shard;
        if (!is_file(path))
            throw InputError(
                str(source, ": weight_map puts tensor '", tensors.front(), "' in shard '", shard,
                    "', but ", path.string(), " does not exist"),
                source);
        out.push_back({std::move(path), std::move(tensors)});
    }
    return out;
}

void check_shard_holds(const std::filesystem::path& index, const ShardTensors& shard,
                       const std::function<bool(std::string_view)>& holds) {
    for (const std::string& tensor : shard.tensors)
        if (!holds(tensor))
            throw InputError(str(index.string(), ": weight_map puts tensor '", tensor, "' in ",
                                 shard.path.string(), ", which has no tensor of that name"),
                             index.string());
}

}  // namespace ssmscope::model
