#include "model/io/gguf/gguf_checkpoint.hpp"

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

// PLACEHOLDER: replaced by the GGUF reader.
CheckpointSource open_gguf_checkpoint(const std::filesystem::path& file) {
    throw InputError(str(file.string(), ": GGUF is not read yet"), file.string());
}

}  // namespace ssmscope::model
