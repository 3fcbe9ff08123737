// Lane multiply-adds per second of one core at the vector width of the float scan kernels, for
// bench_scan's floor of what any forward can reach. Each function is compiled for its instruction
// set (fma_rate_avx2.cpp, fma_rate_avx512.cpp) and may be called only where the CPU has it.
#pragma once

#include <chrono>

namespace ssmscope::bench {

double fma_rate_avx2();
double fma_rate_avx512();

namespace {

// Ten independent chains of vector multiply-adds, so that the rate is measured and not the
// latency; S is a lane type of kernels/cpu/simd_*.hpp. Defined here for the per-instruction-set
// files only (internal linkage, as those lane types).
template <class S>
[[maybe_unused]] double fma_rate() {
    using V = typename S::V;
    constexpr long kIterations = 20'000'000;
    V a[10];
    for (int i = 0; i < 10; ++i)
        a[i] = S::set1(1.0f + 1e-3f * static_cast<float>(i));
    const V m = S::set1(0.9999f), c = S::set1(1e-4f);
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < kIterations; ++i) {
#pragma GCC unroll 10
        for (int k = 0; k < 10; ++k)
            a[k] = S::fma(a[k], m, c);
        // Keeps the chains in registers and the loop from being folded away.
        asm volatile(""
                     : "+x"(a[0]), "+x"(a[1]), "+x"(a[2]), "+x"(a[3]), "+x"(a[4]), "+x"(a[5]),
                       "+x"(a[6]), "+x"(a[7]), "+x"(a[8]), "+x"(a[9]));
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return 10.0 * S::kWidth * static_cast<double>(kIterations) / s;
}

}  // namespace
}  // namespace ssmscope::bench
