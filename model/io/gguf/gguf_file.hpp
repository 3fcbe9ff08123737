// The GGUF container (llama.cpp's format), versions 2 and 3, little-endian: the header, the
// metadata key-value pairs (every value type, arrays included), the tensor infos and the data
// section they point into. Every count, length, offset and size is checked against the file
// before it is used: a hostile header can name the file and the field, never make the reader
// allocate or touch memory beyond what the file holds.
// https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/io/gguf/ggml_types.hpp"
#include "model/io/mapped_file.hpp"

namespace ssmscope::model {

enum class GgufValueType : std::uint32_t {
    U8 = 0,
    I8 = 1,
    U16 = 2,
    I16 = 3,
    U32 = 4,
    I32 = 5,
    F32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    U64 = 10,
    I64 = 11,
    F64 = 12,
};

// "uint32", "string", "array", ... as the GGUF specification names them.
std::string_view gguf_type_name(GgufValueType);

struct GgufValue {
    GgufValueType type = GgufValueType::U8;
    // The scalar, in the member its type implies: unsigned types and Bool (0 or 1) in `u`, signed
    // ones in `i`, F32 and F64 in `f`, String in `s`.
    std::uint64_t u = 0;
    std::int64_t i = 0;
    double f = 0;
    std::string s;
    // Array: the item type and count. Strings are decoded into `strings`; numbers and bools stay
    // where the file holds them (`raw`, little-endian), so that a large array costs no more memory
    // than its bytes already mapped. Arrays of arrays are refused when the file is read.
    GgufValueType item_type = GgufValueType::U8;
    std::uint64_t count = 0;
    std::span<const std::byte> raw;
    std::vector<std::string> strings;

    bool is_integer() const;
    // Item k (< count) of an array, as a scalar value.
    GgufValue item(std::uint64_t k) const;
    // "the uint32 5", "the string \"mamba\"", "an array of 12 int32", for messages.
    std::string describe() const;
};

struct GgufTensorInfo {
    std::string name;
    std::uint32_t n_dims = 0;
    // ggml's order: ne[0] is the row length (the fastest-varying index); unused dims are 1.
    std::array<std::int64_t, 4> ne{1, 1, 1, 1};
    GgmlType type = GgmlType::F32;
    std::uint64_t offset = 0;  // from the start of the data section
    std::uint64_t nbytes = 0;

    std::int64_t numel() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
    // Row-major shape, slowest index first, as numpy and torch write it: ne reversed.
    std::vector<std::int64_t> shape() const;
};

class GgufFile {
  public:
    // Maps and validates the whole header; throws InputError naming the file and the field.
    explicit GgufFile(std::filesystem::path path);

    const std::filesystem::path& path() const { return file_.path(); }
    std::uint32_t version() const { return version_; }
    std::uint32_t alignment() const { return alignment_; }

    const std::map<std::string, GgufValue, std::less<>>& metadata() const { return kv_; }
    const GgufValue* find(std::string_view key) const;

    const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
    const GgufTensorInfo* find_tensor(std::string_view name) const;

    // The tensor's bytes; validated against the file at construction.
    std::span<const std::byte> data(const GgufTensorInfo& t) const;

  private:
    MappedFile file_;
    std::uint32_t version_ = 0;
    std::uint32_t alignment_ = 32;
    std::uint64_t data_start_ = 0;
    std::map<std::string, GgufValue, std::less<>> kv_;
    std::vector<GgufTensorInfo> tensors_;
    std::map<std::string, std::size_t, std::less<>> by_name_;
};

}  // namespace ssmscope::model
