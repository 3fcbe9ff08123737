// The one threading primitive of the CPU kernels: a static loop over independent work items.
// Every kernel splits its work so that each item writes only its own outputs (or its own slice of
// a partial-sum buffer reduced afterwards in a fixed order), so results are bitwise identical for
// any thread count.
#pragma once

#include <cstdint>
#include <functional>

namespace ssmscope::kernels {

// The number of threads a kernel runs on when asked for `requested`: 0 means OMP_NUM_THREADS
// where that is set, else every hardware thread; never more than `items`, never less than 1.
int resolve_threads(int requested, std::int64_t items);

// Calls body(i) for every i in [0, count), on up to `threads` threads (0: as resolve_threads).
// OpenMP when the build found it, std::thread otherwise.
void parallel_for(std::int64_t count, int threads, const std::function<void(std::int64_t)>& body);

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
