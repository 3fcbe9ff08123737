// ggml's block formats decoded to float32, one run of whole blocks at a time, as ggml's reference
// dequantize_row_* functions decode them (ggml-common.h gives the block layouts). The products are
// formed in the order ggml forms them, so the values are exactly ggml's (and gguf-py's).
#pragma once

#include <cstddef>
#include <span>

#include "model/io/gguf/ggml_types.hpp"

namespace ssmscope::model {

// Decodes `out.size()` values from `in`. The caller has checked that the type is readable, that
// out.size() is a whole number of the type's blocks and that `in` holds exactly those blocks.
void dequantize(GgmlType type, std::span<const std::byte> in, std::span<float> out);

// IEEE half and bfloat16 bit patterns to float (exact).
float half_to_float(std::uint16_t bits);
float bf16_to_float(std::uint16_t bits);

}  // namespace ssmscope::model
