#include "base/parallel_for.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

namespace ssmscope {

int resolve_threads(int requested, std::int64_t items) {
    int threads = requested;
    if (threads <= 0) {
        const char* env = std::getenv("OMP_NUM_THREADS");
        threads = env ? std::atoi(env) : 0;
        if (threads <= 0)
            threads = static_cast<int>(std::thread::hardware_concurrency());
    }
    threads = std::max(threads, 1);
    return static_cast<int>(std::min<std::int64_t>(threads, std::max<std::int64_t>(items, 1)));
}

int default_threads() {
    return resolve_threads(0, std::numeric_limits<std::int64_t>::max());
}

namespace detail {

void run_pieces(std::int64_t count, std::int64_t pieces, int threads,
                const std::function<void(std::int64_t, std::int64_t)>& body) {
    pieces = std::clamp<std::int64_t>(pieces, 1, std::max<std::int64_t>(count, 1));
    const CancelFlag* flag = current_cancel_flag();
    if (threads <= 1 && !flag) {
        body(0, count);
        return;
    }
    // An exception must not cross a thread boundary: keep the first and rethrow it here.
    std::exception_ptr error;
    std::mutex error_mutex;
    std::atomic<bool> failed{false};
    const auto run = [&](std::int64_t p) {
        if (failed.load(std::memory_order_relaxed))
            return;
        try {
            const CancelScope scope(flag);
            throw_if_cancelled();
            body(count * p / pieces, count * (p + 1) / pieces);
        } catch (...) {
            const std::lock_guard lock(error_mutex);
            if (!error)
                error = std::current_exception();
            failed = true;
        }
    };
    if (threads <= 1) {
        for (std::int64_t p = 0; p < pieces; ++p)
            run(p);
    } else {
#ifdef SSMSCOPE_OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
        for (std::int64_t p = 0; p < pieces; ++p)
            run(p);
#else
        // The pieces taken in turn from a shared counter; the calling thread works too.
        std::atomic<std::int64_t> next{0};
        const auto worker = [&] {
            for (std::int64_t p = next++; p < pieces; p = next++)
                run(p);
        };
        std::vector<std::thread> pool;
        pool.reserve(static_cast<std::size_t>(threads - 1));
        for (int k = 1; k < threads; ++k)
            pool.emplace_back(worker);
        worker();
        for (std::thread& t : pool)
            t.join();
#endif
    }
    if (error)
        std::rethrow_exception(error);
}

}  // namespace detail
}  // namespace ssmscope
