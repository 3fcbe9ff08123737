// Compiled for AVX-512 (bench/CMakeLists.txt).
#include "bench/fma_rate.hpp"
#include "kernels/cpu/simd_avx512.hpp"

double ssmscope::bench::fma_rate_avx512() {
    return fma_rate<kernels::Avx512>();
}
