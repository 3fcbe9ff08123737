// Compiled for AVX2 + FMA (bench/CMakeLists.txt).
#include "bench/fma_rate.hpp"
#include "kernels/cpu/simd_avx2.hpp"

double ssmscope::bench::fma_rate_avx2() {
    return fma_rate<kernels::Avx2>();
}
