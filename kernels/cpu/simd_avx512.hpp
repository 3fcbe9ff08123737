// Sixteen float lanes with AVX-512 (F + DQ): the operations the lane-parallel scans need. Only
// for translation units compiled with -mavx512f -mavx512dq, which the kernels call after checking
// the CPU (cpu_isa.hpp).
//
// Everything here has internal linkage (an unnamed namespace) on purpose: the same inline names
// compiled with different instruction sets in different translation units must never be merged
// by the linker, or a machine without AVX-512 could end up running these bodies.
#pragma once

#include <cstdint>

#include <immintrin.h>

#include "kernels/cpu/simd_poly.hpp"

namespace ssmscope::kernels {
namespace {

struct Avx512 {
    using V = __m512;
    using M = __mmask16;
    static constexpr int kWidth = 16;

    static M mask(int count) { return static_cast<M>((1u << count) - 1u); }
    static V load(const float* p, M m) { return _mm512_maskz_loadu_ps(m, p); }
    static void store(float* p, V v, M m) { _mm512_mask_storeu_ps(p, m, v); }
    static V loadu(const float* p) { return _mm512_loadu_ps(p); }
    static void storeu(float* p, V v) { _mm512_storeu_ps(p, v); }
    static V set1(float x) { return _mm512_set1_ps(x); }
    static V zero() { return _mm512_setzero_ps(); }
    static V add(V a, V b) { return _mm512_add_ps(a, b); }
    static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
    static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
    static V div(V a, V b) { return _mm512_div_ps(a, b); }
    static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
    static float sum(V a) { return _mm512_reduce_add_ps(a); }
    static void prefetch(const float* p) {
        _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0);
    }

    // 2^x to 7e-8 relative: f = x − ⌊x⌋ ∈ [0, 1) in one vreduceps, 2^f by exp2_fraction
    // (simd_poly.hpp), and vscalefps multiplies by 2^⌊x⌋, which
    // also gives +∞ above the float range. Below 2^−126 the result is 0, as in the scalar vexp
    // (a fully decayed state; denormals would only slow the recurrence down). NaN stays NaN: a
    // NaN weight must reach the loss, not vanish into a zero decay.
    static V exp2(V x) {
        const V f = _mm512_reduce_ps(x, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        const V p = exp2_fraction<Avx512>(f);
        const M normal = _mm512_cmp_ps_mask(x, set1(-126.0f), _CMP_NLT_UQ);
        return _mm512_maskz_scalef_ps(normal, p, x);
    }
    static V exp(V x) { return exp2(mul(x, set1(1.44269504f))); }

    // log(w) for finite w > 0: w = m·2^k with m ∈ [0.75, 1.5), then log_mantissa.
    static V log(V w) {
        const V m = _mm512_getmant_ps(w, _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_src);
        V k = _mm512_getexp_ps(w);
        // getexp is ⌊log2 w⌋; a mantissa in [1.5, 2) came back halved, so its exponent is one more.
        k = _mm512_mask_add_ps(k, _mm512_cmp_ps_mask(m, set1(1.0f), _CMP_LT_OQ), k, set1(1.0f));
        return log_mantissa<Avx512>(m, k);
    }

    static V select_gt(V a, V threshold, V if_greater, V otherwise) {
        return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, threshold, _CMP_GT_OQ), otherwise,
                                    if_greater);
    }
    static V select_eq(V a, V b, V if_equal, V otherwise) {
        return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ), otherwise, if_equal);
    }
};

}  // namespace
}  // namespace ssmscope::kernels
