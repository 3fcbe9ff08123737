// The one threading primitive of ssmscope: a loop over independent work items, on the OpenMP
// pool where the build found OpenMP (std::threads otherwise). The analysis runs one small system
// per item (every channel of every layer), the CPU kernels one sequence per item; every item
// writes only its own outputs, so results never depend on the thread count.
#pragma once

#include <cstdint>
#include <functional>
#include <type_traits>

#include "base/cancel.hpp"

namespace ssmscope {

// The number of threads a loop runs on when asked for `requested`: 0 means OMP_NUM_THREADS where
// that is set (processes sharing a machine, the workers of a data-parallel run, divide the cores
// through it, as LibTorch reads it), else every hardware thread; never more than `items`, never
// less than 1.
int resolve_threads(int requested, std::int64_t items);

// resolve_threads(0, ...) for a loop of many items: what `threads = 0` means.
int default_threads();

namespace detail {
// Runs body(begin, end) over `pieces` consecutive ranges that cover [0, count), on up to `threads`
// threads, taking pieces in turn. The caller's cancel flag (cancel.hpp) is installed on every
// thread and polled before each piece; the first exception a piece throws (Cancelled included)
// stops the pieces not yet started and is rethrown here.
void run_pieces(std::int64_t count, std::int64_t pieces, int threads,
                const std::function<void(std::int64_t, std::int64_t)>& body);
}  // namespace detail

// body(i) for every i in [0, count), or body(begin, end) over disjoint ranges that cover it, on up
// to `threads` threads (0: as resolve_threads). An item body gets one piece per item, scheduled
// dynamically (the kernels' items differ in cost at the ends of a batch); a range body gets one
// contiguous range per thread, so that it can set up its workspace once per range, and, when the
// work can be cancelled, up to 64 ranges per thread so that Cancel takes effect within a fraction
// of a stage.
template <typename Body>
void parallel_for(std::int64_t count, int threads, Body&& body) {
    if (count <= 0)
        return;
    const int n = resolve_threads(threads, count);
    if constexpr (std::is_invocable_v<Body&, std::int64_t, std::int64_t>) {
        std::int64_t pieces = n;
        if (current_cancel_flag())
            pieces = std::int64_t{64} * n;
        detail::run_pieces(count, pieces < count ? pieces : count, n, body);
    } else {
        static_assert(std::is_invocable_v<Body&, std::int64_t>,
                      "parallel_for: the body takes an index, or a range (begin, end)");
        detail::run_pieces(count, count, n, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t i = begin; i < end; ++i)
                body(i);
        });
    }
}

}  // namespace ssmscope
