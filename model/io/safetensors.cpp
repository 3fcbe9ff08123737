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
#include "base/str.hpp"
#include "model/io/json_object.hpp"
#include "model/io/shape.hpp"

namespace ssmscope::model {

static_assert(std::endian::native == std::endian::little,
              "safetensors is little endian; this reader hands out the bytes as they are");

using nlohmann::json;

namespace {

constexpr std::string_view kMetadataKey = "__metadata__";

// Messages about one tensor entry: "<file>: tensor '<name>': <what>".
struct EntryContext {
    const std::string& file;
    const std::string& tensor;

    [[noreturn]] void fail(const std::string& what) const {
        throw InputError(str(file, ": tensor '", tensor, "': ", what), file);
    }
};

std::string span_string(std::uint64_t begin, std::uint64_t end) {
    return str("[", begin, ", ", end, ")");
}

DType parse_entry_dtype(const json& entry, const EntryContext& ctx) {
    const auto it = entry.find("dtype");
    if (it == entry.end())
        ctx.fail("missing 'dtype'");
    if (!it->is_string())
        ctx.fail(str("'dtype' is ", json_kind(*it), ", expected a string"));
    const auto& name = it->get_ref<const std::string&>();
    const std::optional<DType> dtype = parse_dtype(name);
    if (!dtype)
        ctx.fail(str("unknown dtype '", name, "' (known: ", known_dtype_names(), ")"));
    return *dtype;
}

std::vector<std::int64_t> parse_entry_shape(const json& entry, const EntryContext& ctx) {
    const auto it = entry.find("shape");
    if (it == entry.end())
        ctx.fail("missing 'shape'");
    if (!it->is_array())
        ctx.fail(
            str("'shape' is ", json_kind(*it), ", expected an array of non-negative integers"));
    std::vector<std::int64_t> shape;
    shape.reserve(it->size());
    for (std::size_t i = 0; i < it->size(); ++i) {
        const json& d = (*it)[i];
        if (d.is_number_integer() && !d.is_number_unsigned() && d.get<std::int64_t>() < 0)
            ctx.fail(str("shape[", i, "] is ", d.get<std::int64_t>(),
                         ": a dimension cannot be negative"));
        if (!d.is_number_unsigned())
            ctx.fail(str("shape[", i, "] is ", json_kind(d), ", expected a non-negative integer"));
        const auto v = d.get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            ctx.fail(str("shape[", i, "] is ", v, ", larger than any tensor can be"));
        shape.push_back(static_cast<std::int64_t>(v));
    }
    return shape;
}

std::pair<std::uint64_t, std::uint64_t> parse_entry_offsets(const json& entry,
                                                            const EntryContext& ctx) {
    const auto it = entry.find("data_offsets");
    if (it == entry.end())
        ctx.fail("missing 'data_offsets'");
    constexpr std::string_view expected = ", expected two non-negative integers [begin, end]";
    if (!it->is_array() || it->size() != 2)
        ctx.fail(str("'data_offsets' is ", json_kind(*it), expected));
    for (const json& v : *it)
        if (!v.is_number_unsigned())
            ctx.fail(str("'data_offsets' is ", json_kind(*it), expected));
    const auto begin = (*it)[0].get<std::uint64_t>();
    const auto end = (*it)[1].get<std::uint64_t>();
    if (end < begin)
        ctx.fail(str("data_offsets ", span_string(begin, end),
                     " decrease: end must not be less than begin"));
    return {begin, end};
}

TensorInfo parse_entry(const std::string& name, const json& entry, std::uint64_t data_size,
                       const std::string& file) {
    const EntryContext ctx{file, name};
    if (!entry.is_object())
        ctx.fail(str("entry is ", json_kind(entry),
                     ", expected an object with 'dtype', 'shape' and 'data_offsets'"));
    TensorInfo info;
    info.name = name;
    info.dtype = parse_entry_dtype(entry, ctx);
    info.shape = parse_entry_shape(entry, ctx);
    std::tie(info.begin, info.end) = parse_entry_offsets(entry, ctx);

    const std::string offsets = str("data_offsets ", span_string(info.begin, info.end));
    const std::string described =
        str("shape ", shape_string(info.shape), " of ", dtype_name(info.dtype));
    const std::optional<std::uint64_t> needed = checked_nbytes(info.dtype, info.shape);
    if (!needed)
        ctx.fail(str(described, " has more bytes than 64 bits can count"));
    if (*needed != info.nbytes())
        ctx.fail(
            str(offsets, " hold ", info.nbytes(), " bytes but ", described, " needs ", *needed));
    if (info.end > data_size)
        ctx.fail(str(offsets, " run past the end of the data section, which holds ", data_size,
                     " bytes (truncated file?)"));
    return info;
}

std::map<std::string, std::string> parse_metadata(const json& value, const std::string& file) {
    if (!value.is_object())
        throw InputError(str(file, ": ", kMetadataKey, " is ", json_kind(value),
                             ", expected an object of strings"),
                         file);
    std::map<std::string, std::string> metadata;
    for (const auto& [key, v] : value.items()) {
        if (!v.is_string())
            throw InputError(str(file, ": ", kMetadataKey, " entry '", key, "' is ", json_kind(v),
                                 ", expected a string"),
                             file);
        metadata.emplace(key, v.get<std::string>());
    }
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

    for (const auto& [key, value] : header.items()) {
        if (key == kMetadataKey)
            metadata_ = parse_metadata(value, file);
        else
            tensors_.push_back(parse_entry(key, value, data_size, file));
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
