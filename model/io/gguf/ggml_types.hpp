// ggml's tensor element types as GGUF numbers them, with the block each one packs: a block of
// `block_elems` values stored in `block_bytes` bytes (1 and the element size for the plain float
// types). Only the types ggml_dequant.hpp reads are marked readable; the others are known by name
// so that a file using them is refused by that name rather than as an unknown number.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ssmscope::model {

enum class GgmlType : std::uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    F64 = 28,
    BF16 = 30,
};

struct GgmlTypeInfo {
    std::string_view name;
    std::uint32_t block_elems = 0;
    std::uint32_t block_bytes = 0;
    bool readable = false;
};

// nullptr for a number ggml does not define.
const GgmlTypeInfo* ggml_type_info(std::uint32_t type);

// The readable types' names joined by ", ", for messages.
std::string readable_ggml_type_names();

}  // namespace ssmscope::model
