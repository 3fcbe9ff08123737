// Writes the safetensors format (see safetensors.hpp) without torch.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "model/io/dtype.hpp"

namespace ssmscope::model {

struct TensorToWrite {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::span<const std::byte> data;  // numel × dtype_size bytes, little endian
};

// Lays the tensors out back to back in the given order, after a header JSON padded with spaces to
// a multiple of 8 bytes (so the data section starts 8-aligned and tensors whose sizes are
// multiples of 8 stay aligned). Writes a temporary file in the same directory and renames it over
// `path`, so a reader never sees half a file. Throws InputError naming the file and the tensor
// when a tensor's data size is not numel × dtype_size, a shape is negative, a name repeats or is
// "__metadata__" or is not valid UTF-8, or the file cannot be written.
void write_safetensors(const std::filesystem::path& path, std::span<const TensorToWrite> tensors,
                       const std::map<std::string, std::string>& metadata = {});

// The checks write_safetensors makes before writing anything, for callers that write several
// files and want none written when one would fail. `file` names the target in messages.
void check_tensors_to_write(std::span<const TensorToWrite> tensors, const std::string& file);

}  // namespace ssmscope::model
