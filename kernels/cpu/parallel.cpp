#include "kernels/cpu/parallel.hpp"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace ssmscope::kernels {

int resolve_threads(int requested, std::int64_t items) {
    int threads = requested;
    if (threads <= 0) {
        // OMP_NUM_THREADS, as LibTorch and OpenMP read it: processes sharing a machine (the
        // workers of a data-parallel run) divide the cores through it.
        const char* env = std::getenv("OMP_NUM_THREADS");
        threads = env ? std::atoi(env) : 0;
        if (threads <= 0)
            threads = static_cast<int>(std::thread::hardware_concurrency());
    }
    threads = std::max(threads, 1);
    return static_cast<int>(std::min<std::int64_t>(threads, std::max<std::int64_t>(items, 1)));
}

void parallel_for(std::int64_t count, int threads, const std::function<void(std::int64_t)>& body) {
    if (count <= 0)
        return;
    const int n = resolve_threads(threads, count);
    if (n == 1) {
        for (std::int64_t i = 0; i < count; ++i)
            body(i);
        return;
    }
    // An exception must not cross a thread boundary: keep the first and rethrow it here.
    std::exception_ptr error;
    std::mutex error_mutex;
    const auto guarded = [&](std::int64_t i) {
        try {
            body(i);
        } catch (...) {
            const std::lock_guard lock(error_mutex);
            if (!error)
                error = std::current_exception();
        }
    };
#ifdef SSMSCOPE_KERNELS_OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(n)
    for (std::int64_t i = 0; i < count; ++i)
        guarded(i);
#else
    // Contiguous blocks, one per thread; the calling thread takes the first.
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(n - 1));
    const auto run_block = [&](int k) {
        const BlockRange r = block_range(count, n, k);
        for (std::int64_t i = r.begin; i < r.end; ++i)
            guarded(i);
    };
    for (int k = 1; k < n; ++k)
        pool.emplace_back(run_block, k);
    run_block(0);
    for (std::thread& t : pool)
        t.join();
#endif
    if (error)
        std::rethrow_exception(error);
}

}  // namespace ssmscope::kernels
