// Eight float lanes with AVX2 + FMA: the same operations as simd_avx512.hpp, for CPUs without
// AVX-512. Only for translation units compiled with -mavx2 -mfma; internal linkage for the same
// reason as there.
#pragma once

#include <cstdint>

#include <immintrin.h>

#include "kernels/cpu/simd_poly.hpp"

namespace ssmscope::kernels {
namespace {

struct Avx2 {
    using V = __m256;
    using M = __m256i;
    static constexpr int kWidth = 8;

    static M mask(int count) {
        return _mm256_cmpgt_epi32(_mm256_set1_epi32(count),
                                  _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    }
    static V load(const float* p, M m) { return _mm256_maskload_ps(p, m); }
    static void store(float* p, V v, M m) { _mm256_maskstore_ps(p, m, v); }
    static V loadu(const float* p) { return _mm256_loadu_ps(p); }
    static void storeu(float* p, V v) { _mm256_storeu_ps(p, v); }
    static V set1(float x) { return _mm256_set1_ps(x); }
    static V zero() { return _mm256_setzero_ps(); }
    static V add(V a, V b) { return _mm256_add_ps(a, b); }
    static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
    static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
    static V div(V a, V b) { return _mm256_div_ps(a, b); }
    static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
    static float sum(V a) {
        const __m128 q = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
        const __m128 d = _mm_add_ps(q, _mm_movehl_ps(q, q));
        return _mm_cvtss_f32(_mm_add_ss(d, _mm_movehdup_ps(d)));
    }
    static void prefetch(const float* p) {
        _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0);
    }

    // 2^x to 9e-8 relative in 13 instructions (the scans spend most of their time here): x is
    // clamped to [−127, 128], then one addition of 1.5·2^23 + 127 rounds it to the nearest
    // integer k and leaves k + 127 in the low mantissa bits, so that shifting those bits into the
    // exponent field gives 2^k as a float; f = x − k ∈ [−1/2, 1/2] goes to exp2_centred
    // (simd_poly.hpp). At the ends: k = −127 makes that factor +0, so x ≤ −127 gives 0 and
    // x ∈ (−127, −125.5) a denormal or 0 (a fully decayed state); k = 128 makes it +∞, so x above
    // 127.5 gives +∞ (2^x overflows from 128 on; the half unit below it is given up). NaN stays
    // NaN: min and max return their second operand when either is NaN, and NaN·2^k is NaN.
    static V exp2(V x) {
        const V magic = set1(12583039.0f);  // 1.5·2^23 + 127
        const V xc = _mm256_min_ps(set1(128.0f), _mm256_max_ps(set1(-127.0f), x));
        const V kd = add(xc, magic);
        const V f = sub(xc, sub(kd, magic));
        const V scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(kd), 23));
        return mul(exp2_centred<Avx2>(f), scale);
    }
    static V exp(V x) { return exp2(mul(x, set1(1.44269504f))); }

    // log(w) for finite w > 0, as Avx512::log, with the exponent and mantissa taken from the bits
    // (so NaN gives a finite value: callers multiply by something NaN in that case).
    static V log(V w) {
        const __m256i bits = _mm256_castps_si256(w);
        V k = _mm256_cvtepi32_ps(
            _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127)));
        V m = _mm256_castsi256_ps(_mm256_or_si256(
            _mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f800000)));
        const V big = _mm256_cmp_ps(m, set1(1.5f), _CMP_GE_OQ);  // into [0.75, 1.5)
        m = _mm256_blendv_ps(m, mul(m, set1(0.5f)), big);
        k = add(k, _mm256_and_ps(big, set1(1.0f)));
        return log_mantissa<Avx2>(m, k);
    }

    static V select_gt(V a, V threshold, V if_greater, V otherwise) {
        return _mm256_blendv_ps(otherwise, if_greater, _mm256_cmp_ps(a, threshold, _CMP_GT_OQ));
    }
    static V select_eq(V a, V b, V if_equal, V otherwise) {
        return _mm256_blendv_ps(otherwise, if_equal, _mm256_cmp_ps(a, b, _CMP_EQ_OQ));
    }
};

}  // namespace
}  // namespace ssmscope::kernels
