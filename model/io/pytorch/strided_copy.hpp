// Gathers a strided view of a storage into a contiguous row-major buffer: torch.save keeps a
// transposed or sliced tensor as the view it is (offset, sizes, strides into a shared storage),
// while TensorStore::read promises contiguous elements.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ssmscope::model {

struct StridedView {
    std::int64_t offset = 0;  // in elements
    std::vector<std::int64_t> sizes;
    std::vector<std::int64_t> strides;  // in elements, all non-negative
};

// The number of elements the view holds, or nullopt when the product overflows.
std::optional<std::int64_t> view_numel(const StridedView& v);

// One past the last storage element the view touches (0 for an empty view), or nullopt when the
// arithmetic overflows.
std::optional<std::int64_t> view_extent(const StridedView& v);

// The view's bytes in place when it is row-major contiguous (what torch.save writes for a tensor
// that is not a view of another), empty otherwise or when it holds no elements. The view must
// lie inside `storage`, as for copy_strided.
std::span<const std::byte> contiguous_bytes(std::span<const std::byte> storage,
                                            std::size_t element_size, const StridedView& v);

// Copies the view's elements, each `element_size` bytes, into `out` in row-major order. The view
// must lie inside `storage` (view_extent * element_size <= storage.size()) and `out` must hold
// view_numel * element_size bytes.
void copy_strided(std::span<const std::byte> storage, std::size_t element_size,
                  const StridedView& v, std::span<std::byte> out);

}  // namespace ssmscope::model
