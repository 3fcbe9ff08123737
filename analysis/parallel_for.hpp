// Splits [0, count) into contiguous chunks run on std::threads: analysis of many independent
// small systems (every channel of every layer) is embarrassingly parallel.
#pragma once

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

inline int default_threads() {
    return std::max(1u, std::thread::hardware_concurrency());
}

// body(begin, end) runs once per chunk; the first exception a chunk throws is rethrown here.
template <typename Body>
void parallel_for(Index count, Body body, int threads = default_threads()) {
    const Index chunks = std::clamp<Index>(threads, 1, std::max<Index>(count, 1));
    if (chunks == 1) {
        body(Index{0}, count);
        return;
    }
    std::vector<std::thread> pool;
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(chunks));
    for (Index c = 0; c < chunks; ++c) {
        pool.emplace_back([&, c] {
            try {
                body(count * c / chunks, count * (c + 1) / chunks);
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
