#include "model/io/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <utility>

#include "base/error.hpp"
#include "base/json_parse.hpp"
#include "base/json_reader.hpp"
#include "base/str.hpp"
#include "model/io/shape.hpp"

namespace ssmscope::model {

static_assert(std::endian::native == std::endian::little,
              "safetensors is little endian; this reader hands out the bytes as they are");

using nlohmann::json;

namespace {

constexpr std::string_view kMetadataKey = "__metadata__";

std::string span_string(std::uint64_t begin, std::uint64_t end) {
    return str("[", begin, ", ", end, ")");
}

DType parse_entry_dtype(const JsonNode& entry) {
    const JsonNode node = entry["dtype"];
    const std::string name = node.string();
    const std::optional<DType> dtype = parse_dtype(name);
    if (!dtype)
        node.fail(str("unknown dtype ", quoted(name), " (known: ", known_dtype_names(), ")"));
    return *dtype;
}

std::vector<std::int64_t> parse_entry_shape(const JsonNode& entry) {
    const JsonNode node = entry["shape"];
    if (!node.json().is_array())
        node.expected("an array of non-negative integers");
    std::vector<std::int64_t> shape;
    shape.reserve(node.size());
    for (std::size_t i = 0; i < node.size(); ++i) {
        const JsonNode d = node[i];
        if (!d.json().is_number_unsigned())
            d.expected("a non-negative integer");
        const auto v = d.json().get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            d.fail(str(v, " is larger than any tensor can be"));
        shape.push_back(static_cast<std::int64_t>(v));
    }
    return shape;
}

std::pair<std::uint64_t, std::uint64_t> parse_entry_offsets(const JsonNode& entry) {
    const JsonNode node = entry["data_offsets"];
    if (!node.json().is_array() || node.size() != 2)
        node.expected("two non-negative integers [begin, end]");
    for (std::size_t i = 0; i < 2; ++i)
        if (!node[i].json().is_number_unsigned())
            node[i].expected("a non-negative integer");
    const auto begin = node.json()[0].get<std::uint64_t>();
    const auto end = node.json()[1].get<std::uint64_t>();
    if (end < begin)
        node.fail(str(span_string(begin, end), " decrease: end must not be less than begin"));
    return {begin, end};
}

TensorInfo parse_entry(const JsonNode& entry, const std::string& name, std::uint64_t data_size) {
    if (!entry.json().is_object())
        entry.expected("an object with \"dtype\", \"shape\" and \"data_offsets\"");
    TensorInfo info;
    info.name = name;
    info.dtype = parse_entry_dtype(entry);
    info.shape = parse_entry_shape(entry);
    std::tie(info.begin, info.end) = parse_entry_offsets(entry);

    const std::string offsets = str("data_offsets ", span_string(info.begin, info.end));
    const std::string described =
        str("shape ", shape_string(info.shape), " of ", dtype_name(info.dtype));
    const std::optional<std::uint64_t> needed = checked_nbytes(info.dtype, info.shape);
    if (!needed)
        entry.fail(str(described, " has more bytes than 64 bits can count"));
    if (*needed != info.nbytes())
        entry.fail(
            str(offsets, " hold ", info.nbytes(), " bytes but ", described, " needs ", *needed));
    if (info.end > data_size)
        entry.fail(str(offsets, " run past the end of the data section, which holds ", data_size,
                       " bytes (truncated file?)"));
    return info;
}

std::map<std::string, std::string> parse_metadata(const JsonNode& node) {
    if (!node.json().is_object())
        node.expected("an object of strings");
    std::map<std::string, std::string> metadata;
    for (const auto& [key, value] : node.object())
        metadata.emplace(key, node.entry(key).string());
    return metadata;
}

// Spans sorted by begin: one overlaps an earlier one exactly when it starts before the furthest
// end seen so far. Empty spans hold no bytes and so overlap nothing.
void check_no_overlap(const std::vector<TensorInfo>& sorted, const std::string& file) {
    const TensorInfo* furthest = nullptr;
    for (const TensorInfo& t : sorted) {
        if (t.nbytes() == 0)
            continue;
        if (furthest && t.begin < furthest->end)
            throw InputError(str(file, ": tensors '", furthest->name, "' ",
                                 span_string(furthest->begin, furthest->end), " and '", t.name,
                                 "' ", span_string(t.begin, t.end), " overlap"),
                             file);
        if (!furthest || t.end > furthest->end)
            furthest = &t;
    }
}

}  // namespace

std::int64_t TensorInfo::numel() const {
    std::int64_t n = 1;
    for (std::int64_t d : shape)
        n *= d;
    return n;
}

SafetensorsFile::SafetensorsFile(std::filesystem::path path) : file_(std::move(path)) {
    const std::string file = file_.path().string();
    const std::span<const std::byte> bytes = file_.bytes();
    if (bytes.size() < 8)
        throw InputError(str(file, ": the file is ", bytes.size(),
                             " bytes, too short to hold the 8-byte header length (truncated?)"),
                         file);
    std::uint64_t header_size = 0;
    std::memcpy(&header_size, bytes.data(), 8);
    if (header_size > bytes.size() - 8)
        throw InputError(
            str(file, ": header length ", header_size, " runs past the end of the file, which has ",
                bytes.size() - 8,
                " bytes after the 8-byte length (truncated, or not a safetensors file?)"),
            file);
    data_offset_ = 8 + header_size;
    const std::uint64_t data_size = bytes.size() - data_offset_;

    const std::string_view header_text(reinterpret_cast<const char*>(bytes.data() + 8),
                                       static_cast<std::size_t>(header_size));
    const json header = parse_json_object(header_text, file, "header");
    const JsonNode root(header, file, "header");

    for (const auto& [key, value] : root.object()) {
        if (key == kMetadataKey)
            metadata_ = parse_metadata(root[kMetadataKey]);
        else
            tensors_.push_back(parse_entry(root.entry(key), key, data_size));
    }
    std::sort(tensors_.begin(), tensors_.end(), [](const TensorInfo& a, const TensorInfo& b) {
        return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
    });
    check_no_overlap(tensors_, file);
    for (std::size_t i = 0; i < tensors_.size(); ++i)
        by_name_.emplace(tensors_[i].name, i);
}

const TensorInfo* SafetensorsFile::find(std::string_view name) const {
    const auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &tensors_[it->second];
}

std::span<const std::byte> SafetensorsFile::data(const TensorInfo& info) const {
    // A TensorInfo made up by the caller could point anywhere; refuse rather than read past the
    // map.
    if (info.begin > info.end || info.end > file_.size() - data_offset_)
        throw std::out_of_range(str(path().string(), ": tensor '", info.name, "' bytes ",
                                    span_string(info.begin, info.end),
                                    " are not inside the data section"));
    return file_.bytes().subspan(static_cast<std::size_t>(data_offset_ + info.begin),
                                 static_cast<std::size_t>(info.nbytes()));
}

}  // namespace ssmscope::model
