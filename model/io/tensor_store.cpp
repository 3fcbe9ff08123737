#include "model/io/tensor_store.hpp"

namespace ssmscope::model {

std::int64_t StoredTensor::numel() const {
    std::int64_t n = 1;
    for (const std::int64_t d : shape)
        n *= d;
    return n;
}

std::span<const std::byte> TensorStore::mapped(const StoredTensor&) const {
    return {};
}

}  // namespace ssmscope::model
