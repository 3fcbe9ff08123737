// How the backward kernels split their partial sums over channels: every kernel item writes only
// its own outputs or its own slice of a partial-sum buffer, reduced afterwards in a fixed order,
// so results are bitwise identical for any thread count (the loop itself: base/parallel_for.hpp).
#pragma once

#include <cstdint>

namespace ssmscope::kernels {

// A fixed split of `count` items into `blocks` contiguous ranges; range k is [begin, end).
// Used to partition channels for the deterministic partial sums of the backward kernels.
struct BlockRange {
    std::int64_t begin = 0, end = 0;
};
inline BlockRange block_range(std::int64_t count, std::int64_t blocks, std::int64_t k) {
    return {count * k / blocks, count * (k + 1) / blocks};
}

// How many blocks the backward kernels split a group of `count` channels or heads into for their
// partial sums over channels: fixed (not derived from the thread count) so that the summation
// order, and hence the result, never depends on the number of threads.
inline constexpr std::int64_t kMaxReduceBlocks = 8;
inline std::int64_t reduce_blocks(std::int64_t count) {
    return count < kMaxReduceBlocks ? count : kMaxReduceBlocks;
}

}  // namespace ssmscope::kernels
