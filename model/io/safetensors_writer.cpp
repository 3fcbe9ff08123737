#include "model/io/safetensors_writer.hpp"

#include <bit>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/io/atomic_file.hpp"
#include "model/io/shape.hpp"

namespace ssmscope::model {

static_assert(std::endian::native == std::endian::little,
              "safetensors is little endian; this writer copies the bytes as they are");

void check_tensors_to_write(std::span<const TensorToWrite> tensors, const std::string& file) {
    std::set<std::string_view> names;
    for (const TensorToWrite& t : tensors) {
        const auto fail = [&](const std::string& what) {
            throw InputError(str(file, ": tensor '", t.name, "': ", what), file);
        };
        if (t.name == "__metadata__")
            fail("the name is reserved for the header's metadata");
        if (!names.insert(t.name).second)
            fail("the name appears twice among the tensors to write");
        const std::optional<std::uint64_t> needed = checked_nbytes(t.dtype, t.shape);
        if (!needed)
            fail(str("shape ", shape_string(t.shape), " of ", dtype_name(t.dtype),
                     " has a negative dimension or more bytes than 64 bits can count"));
        if (*needed != t.data.size())
            fail(str("data holds ", t.data.size(), " bytes but shape ", shape_string(t.shape),
                     " of ", dtype_name(t.dtype), " needs ", *needed));
    }
}

void write_safetensors(const std::filesystem::path& path, std::span<const TensorToWrite> tensors,
                       const std::map<std::string, std::string>& metadata) {
    const std::string file = path.string();
    check_tensors_to_write(tensors, file);

    // ordered_json keeps the header in the order of the data, which makes it easy to read.
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const TensorToWrite& t : tensors) {
        const std::uint64_t end = offset + t.data.size();
        header[t.name] = {{"dtype", std::string(dtype_name(t.dtype))},
                          {"shape", t.shape},
                          {"data_offsets", {offset, end}}};
        offset = end;
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::ordered_json::exception&) {
        // dump() rejects strings that are not UTF-8, which the format requires of the header.
        throw InputError(str(file, ": a tensor name or metadata entry is not valid UTF-8"), file);
    }
    text.append((8 - text.size() % 8) % 8, ' ');

    AtomicFile out(path);
    const std::uint64_t header_size = text.size();
    out.write(std::as_bytes(std::span(&header_size, 1)));
    out.write(text);
    for (const TensorToWrite& t : tensors)
        out.write(t.data);
    out.commit();
}

}  // namespace ssmscope::model
