// Element and byte counts of a tensor shape, checked against overflow: the shapes come from files.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "model/io/dtype.hpp"

namespace ssmscope::model {

// Product of the dimensions (1 for a scalar's empty shape); nullopt when a dimension is negative
// or the product does not fit in an int64. A zero dimension makes the count 0 whatever the others.
std::optional<std::int64_t> checked_numel(std::span<const std::int64_t> shape);

// checked_numel × dtype_size, nullopt on a negative dimension or when it does not fit in 64 bits.
std::optional<std::uint64_t> checked_nbytes(DType dtype, std::span<const std::int64_t> shape);

// "[4, 3]" for messages.
std::string shape_string(std::span<const std::int64_t> shape);

}  // namespace ssmscope::model
