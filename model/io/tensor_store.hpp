// The tensors of a checkpoint, whichever format holds them (safetensors, a PyTorch zip, GGUF):
// names, element types and shapes known up front, the values read one tensor at a time so that a
// checkpoint larger than memory can be opened and only the tensors asked for are touched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/io/dtype.hpp"

namespace ssmscope::model {

struct StoredTensor {
    std::string name;  // in the checkpoint's naming (Hugging Face or mamba_ssm)
    std::string file;  // the file that holds it, for messages
    // What read() writes: F64, F32, F16 or BF16 for a weight. A format with quantised or
    // transformed tensors (GGUF) reads them as F32.
    DType dtype = DType::F32;
    // The type as the file stores it, for reports: "F32", "BF16", "Q4_K", ...
    std::string stored_type;
    std::vector<std::int64_t> shape;

    std::int64_t numel() const;
    std::size_t read_bytes() const { return static_cast<std::size_t>(numel()) * dtype_size(dtype); }
};

class TensorStore {
  public:
    virtual ~TensorStore() = default;

    // Every tensor name, sorted.
    virtual std::vector<std::string> names() const = 0;

    // nullptr when the checkpoint has no tensor of that name.
    virtual const StoredTensor* find(std::string_view name) const = 0;

    // Writes the tensor's elements, row-major and contiguous, as t.dtype, into `out`, which holds
    // exactly t.read_bytes() bytes. `t` must come from this store's find(). Throws InputError
    // naming the file and the tensor when its data cannot be read.
    virtual void read(const StoredTensor& t, std::span<std::byte> out) const = 0;

    // The bytes read() would write, in place in the store's mapping of the file (valid while the
    // store lives), where the file holds the tensor exactly so: contiguous, row-major, t.dtype,
    // little-endian. Empty where it does not (a quantised or transformed GGUF tensor, a strided
    // view in a pytorch_model.bin); read() then. The mapping is private and writable: a tensor
    // over these bytes may be written in place without reaching the file.
    virtual std::span<const std::byte> mapped(const StoredTensor& t) const;
};

}  // namespace ssmscope::model
