// Element types of safetensors tensors, spelled as the format spells them.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace ssmscope::model {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

// Bytes per element.
std::size_t dtype_size(DType);

// "F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL".
std::string_view dtype_name(DType);

// Inverse of dtype_name (exact, case-sensitive, as the format requires); nullopt otherwise.
std::optional<DType> parse_dtype(std::string_view);

bool is_floating(DType);

// The known names joined by ", ", for messages that reject an unknown dtype.
std::string_view known_dtype_names();

}  // namespace ssmscope::model
