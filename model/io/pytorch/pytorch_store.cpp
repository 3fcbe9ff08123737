#include "model/io/pytorch/pytorch_store.hpp"

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

// PLACEHOLDER: replaced by the restricted unpickler.
OpenedStore open_pytorch_store(const std::filesystem::path& path) {
    throw InputError(str(path.string(), ": a PyTorch pickle, which is not read yet; save the state dict as safetensors first"), path.string());
}

}  // namespace ssmscope::model
