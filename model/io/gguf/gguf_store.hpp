// A GGUF file's tensors as a TensorStore under the Hugging Face names, each read as float32: the
// block types decoded and the converter's transforms undone one tensor at a time, inside read(),
// so that a quantised checkpoint never needs more memory than its largest tensor in float32.
#pragma once

#include <memory>

#include "model/io/gguf/gguf_file.hpp"
#include "model/io/tensor_store.hpp"

namespace ssmscope::model {

std::unique_ptr<TensorStore> make_gguf_store(std::shared_ptr<const GgufFile> file, bool mamba2);

}  // namespace ssmscope::model
