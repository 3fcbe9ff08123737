#include "model/io/pytorch/strided_copy.hpp"

#include <cstring>

namespace ssmscope::model {

std::optional<std::int64_t> view_numel(const StridedView& v) {
    std::int64_t n = 1;
    for (const std::int64_t s : v.sizes)
        if (s < 0 || __builtin_mul_overflow(n, s, &n))
            return std::nullopt;
    return n;
}

std::optional<std::int64_t> view_extent(const StridedView& v) {
    std::int64_t last = v.offset;
    for (std::size_t d = 0; d < v.sizes.size(); ++d) {
        if (v.sizes[d] == 0)
            return 0;
        std::int64_t step = 0;
        if (v.strides[d] < 0 || __builtin_mul_overflow(v.sizes[d] - 1, v.strides[d], &step) ||
            __builtin_add_overflow(last, step, &last))
            return std::nullopt;
    }
    std::int64_t end = 0;
    if (__builtin_add_overflow(last, 1, &end))
        return std::nullopt;
    return end;
}

namespace {

// Row-major strides of `sizes`, ignoring dimensions of size 1, whose stride never matters.
bool is_contiguous(const StridedView& v) {
    std::int64_t expected = 1;
    for (std::size_t d = v.sizes.size(); d-- > 0;) {
        if (v.sizes[d] != 1 && v.strides[d] != expected)
            return false;
        expected *= v.sizes[d];
    }
    return true;
}

}  // namespace

std::span<const std::byte> contiguous_bytes(std::span<const std::byte> storage,
                                            std::size_t element_size, const StridedView& v) {
    const std::optional<std::int64_t> n = view_numel(v);
    if (!n || *n == 0 || !is_contiguous(v))
        return {};
    return storage.subspan(static_cast<std::size_t>(v.offset) * element_size,
                           static_cast<std::size_t>(*n) * element_size);
}

void copy_strided(std::span<const std::byte> storage, std::size_t element_size,
                  const StridedView& v, std::span<std::byte> out) {
    if (out.empty())
        return;
    const auto at = [&](std::int64_t element) {
        return storage.data() + static_cast<std::size_t>(element) * element_size;
    };
    if (const auto bytes = contiguous_bytes(storage, element_size, v); !bytes.empty()) {
        std::memcpy(out.data(), bytes.data(), out.size());
        return;
    }
    // An odometer over all but the last dimension; the last is copied element by element.
    const std::size_t dims = v.sizes.size();
    const std::int64_t inner = v.sizes[dims - 1], inner_stride = v.strides[dims - 1];
    std::vector<std::int64_t> index(dims - 1, 0);
    std::byte* dst = out.data();
    std::int64_t base = v.offset;
    for (;;) {
        for (std::int64_t i = 0; i < inner; ++i, dst += element_size)
            std::memcpy(dst, at(base + i * inner_stride), element_size);
        std::size_t d = dims - 1;
        while (d-- > 0) {
            base += v.strides[d];
            if (++index[d] < v.sizes[d])
                break;
            base -= v.strides[d] * v.sizes[d];
            index[d] = 0;
        }
        if (d == static_cast<std::size_t>(-1))
            return;
    }
}

}  // namespace ssmscope::model
