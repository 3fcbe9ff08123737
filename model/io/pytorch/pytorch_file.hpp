// One file that torch.save wrote (PyTorch >= 1.6): a zip whose <archive>/data.pkl pickles the
// state dict and whose <archive>/data/<key> records hold the storages. The file is mapped and
// each tensor is a view of a storage record, a span of the mapping: nothing is copied until a
// tensor is read.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/io/dtype.hpp"
#include "model/io/mapped_file.hpp"
#include "model/io/pytorch/strided_copy.hpp"

namespace ssmscope::model {

class PytorchFile {
  public:
    struct Tensor {
        std::string name;
        DType dtype = DType::F32;
        std::string storage_type;            // "torch.FloatStorage", ...
        StridedView view;                    // sizes are the tensor's shape
        std::span<const std::byte> storage;  // the record's bytes, at least the view's extent
    };

    // Throws InputError naming the file, and the record, tensor or pickle field, for the legacy
    // format, a truncated or corrupt zip, a compressed record, a big-endian file, a refused
    // pickle, a missing data record and a view that does not fit its storage.
    explicit PytorchFile(std::filesystem::path path);
    PytorchFile(const PytorchFile&) = delete;
    PytorchFile& operator=(const PytorchFile&) = delete;

    const std::filesystem::path& path() const { return file_.path(); }
    const std::vector<Tensor>& tensors() const { return tensors_; }
    const Tensor* find(std::string_view name) const;

    // Writes the tensor's elements contiguously into `out` (exactly numel * dtype size bytes).
    static void read(const Tensor& t, std::span<std::byte> out);

  private:
    MappedFile file_;
    std::vector<Tensor> tensors_;
    std::map<std::string, std::size_t, std::less<>> index_;
};

}  // namespace ssmscope::model
