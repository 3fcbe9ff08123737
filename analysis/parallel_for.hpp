// Splits [0, count) into contiguous chunks run on std::threads: analysis of many independent
// small systems (every channel of every layer) is embarrassingly parallel.
#pragma once

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

#include "analysis/cancel.hpp"
#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

inline int default_threads() {
    return std::max(1u, std::thread::hardware_concurrency());
}

// Runs body(begin, end) over consecutive pieces of [begin, end). When an analysis can be
// cancelled (cancel.hpp) the range is cut into up to 64 pieces with the flag polled before each,
// so that Cancel takes effect within a fraction of a stage; otherwise it is one piece.
template <typename Body>
void run_cancellable(Index begin, Index end, Body& body) {
    if (!current_cancel_flag()) {
        body(begin, end);
        return;
    }
    const Index pieces = std::clamp<Index>(end - begin, 1, 64);
    for (Index p = 0; p < pieces; ++p) {
        throw_if_cancelled();
        body(begin + (end - begin) * p / pieces, begin + (end - begin) * (p + 1) / pieces);
    }
}

// body(begin, end) runs on disjoint pieces that cover [0, count), each index once; the first
// exception a piece throws (Cancelled included) is rethrown here.
template <typename Body>
void parallel_for(Index count, Body body, int threads = default_threads()) {
    const Index chunks = std::clamp<Index>(threads, 1, std::max<Index>(count, 1));
    if (chunks == 1) {
        run_cancellable(Index{0}, count, body);
        return;
    }
    const CancelFlag* flag = current_cancel_flag();
    std::vector<std::thread> pool;
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(chunks));
    for (Index c = 0; c < chunks; ++c) {
        pool.emplace_back([&, c] {
            try {
                const CancelScope scope(flag);
                run_cancellable(count * c / chunks, count * (c + 1) / chunks, body);
            } catch (...) {
                errors[static_cast<std::size_t>(c)] = std::current_exception();
            }
        });
    }
    for (auto& t : pool)
        t.join();
    for (auto& e : errors)
        if (e)
            std::rethrow_exception(e);
}

}  // namespace ssmscope::analysis
