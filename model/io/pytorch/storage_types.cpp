#include "model/io/pytorch/storage_types.hpp"

#include <array>
#include <utility>

namespace ssmscope::model {

namespace {

// The floating types are the weights; the integer ones are read and reported as such, so that a
// checkpoint with, say, an int64 step counter opens and load_checkpoint names the odd tensor.
constexpr std::array<std::pair<std::string_view, DType>, 10> kStorages{{
    {"torch.FloatStorage", DType::F32},
    {"torch.DoubleStorage", DType::F64},
    {"torch.HalfStorage", DType::F16},
    {"torch.BFloat16Storage", DType::BF16},
    {"torch.LongStorage", DType::I64},
    {"torch.IntStorage", DType::I32},
    {"torch.ShortStorage", DType::I16},
    {"torch.CharStorage", DType::I8},
    {"torch.ByteStorage", DType::U8},
    {"torch.BoolStorage", DType::Bool},
}};

}  // namespace

std::optional<DType> storage_dtype(std::string_view name) {
    for (const auto& [n, dtype] : kStorages)
        if (n == name)
            return dtype;
    return std::nullopt;
}

std::string_view known_storage_types() {
    return "torch.FloatStorage, torch.DoubleStorage, torch.HalfStorage, torch.BFloat16Storage, "
           "torch.LongStorage, torch.IntStorage, torch.ShortStorage, torch.CharStorage, "
           "torch.ByteStorage, torch.BoolStorage";
}

}  // namespace ssmscope::model
