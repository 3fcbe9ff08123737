// Reads the safetensors format without torch: an 8-byte little-endian header length N, N bytes of
// JSON mapping tensor names to {dtype, shape, data_offsets}, then the data section the offsets
// point into. https://github.com/huggingface/safetensors#format
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/io/dtype.hpp"
#include "model/io/mapped_file.hpp"

namespace ssmscope::model {

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0, end = 0;  // byte offsets relative to the start of the data section

    std::int64_t numel() const;
    std::uint64_t nbytes() const { return end - begin; }
};

class SafetensorsFile {
  public:
    // Maps the file and validates the header and every tensor entry against the file; throws
    // InputError naming the file, the tensor or field, and what was expected. Holes between the
    // tensors' spans and bytes after the last one are allowed; overlapping spans are not.
    explicit SafetensorsFile(std::filesystem::path path);

    SafetensorsFile(SafetensorsFile&&) noexcept = default;
    SafetensorsFile& operator=(SafetensorsFile&&) noexcept = default;
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::filesystem::path& path() const { return file_.path(); }

    // Sorted by begin offset (then end, then name).
    const std::vector<TensorInfo>& tensors() const { return tensors_; }

    // nullptr when the file has no tensor of that name.
    const TensorInfo* find(std::string_view name) const;

    // The tensor's bytes, little endian, with no alignment guarantee: copy them out (memcpy)
    // rather than casting the pointer. `info` must come from this file's tensors() or find().
    std::span<const std::byte> data(const TensorInfo& info) const;

    // The header's "__metadata__" (empty when absent).
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

    // Offset of the data section from the start of the file: 8 + header length.
    std::uint64_t data_offset() const { return data_offset_; }

  private:
    MappedFile file_;
    std::uint64_t data_offset_ = 0;
    std::vector<TensorInfo> tensors_;
    std::map<std::string, std::size_t, std::less<>> by_name_;  // index into tensors_
    std::map<std::string, std::string> metadata_;
};

}  // namespace ssmscope::model
