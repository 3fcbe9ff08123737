#include "model/io/shape.hpp"

#include <algorithm>

namespace ssmscope::model {

std::optional<std::int64_t> checked_numel(std::span<const std::int64_t> shape) {
    if (std::any_of(shape.begin(), shape.end(), [](std::int64_t d) { return d < 0; }))
        return std::nullopt;
    // A zero dimension empties the tensor even when the other dimensions multiply past 2^63.
    if (std::find(shape.begin(), shape.end(), 0) != shape.end())
        return 0;
    std::int64_t n = 1;
    for (std::int64_t d : shape)
        if (__builtin_mul_overflow(n, d, &n))
            return std::nullopt;
    return n;
}

std::optional<std::uint64_t> checked_nbytes(DType dtype, std::span<const std::int64_t> shape) {
    const std::optional<std::int64_t> n = checked_numel(shape);
    if (!n)
        return std::nullopt;
    std::uint64_t bytes = 0;
    if (__builtin_mul_overflow(static_cast<std::uint64_t>(*n), dtype_size(dtype), &bytes))
        return std::nullopt;
    return bytes;
}

std::string shape_string(std::span<const std::int64_t> shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

}  // namespace ssmscope::model
