// The polynomials the SIMD lane types share (simd_avx512.hpp, simd_avx2.hpp), written once over
// any lane type S with add, sub, mul, div, fma and set1. Internal linkage, as those headers.
#pragma once

namespace ssmscope::kernels {
namespace {

// c[0]·f^(K−1) + … + c[K−1] by Horner's rule, one multiply-add per coefficient.
template <class S, int K>
inline typename S::V horner(typename S::V f, const float (&c)[K]) {
    typename S::V p = S::set1(c[0]);
#pragma GCC unroll 8
    for (int i = 1; i < K; ++i)
        p = S::fma(p, f, S::set1(c[i]));
    return p;
}

// 2^f for f ∈ [0, 1): the degree-6 polynomial interpolating 2^f at the Chebyshev nodes of
// [0, 1] (relative error 6e-8 in float, against 2.5e-9 with exact coefficients).
template <class S>
inline typename S::V exp2_fraction(typename S::V f) {
    constexpr float kCoefficients[] = {2.186578495e-04f,
                                       1.239133184e-03f,
                                       9.684186429e-03f,
                                       5.548062921e-02f,
                                       2.402304560e-01f,
                                       6.931469440e-01f,
                                       1.0f};
    return horner<S>(f, kCoefficients);
}

// 2^f for f ∈ [−1/2, 1/2]: the degree-6 polynomial interpolating 2^f at the Chebyshev nodes of
// that interval (relative error 8.4e-8 in float, measured over every float in it).
template <class S>
inline typename S::V exp2_centred(typename S::V f) {
    constexpr float kCoefficients[] = {1.546144485e-04f,
                                       1.340042800e-03f,
                                       9.618056938e-03f,
                                       5.550327152e-02f,
                                       2.402265072e-01f,
                                       6.931471825e-01f,
                                       1.0f};
    return horner<S>(f, kCoefficients);
}

// log(m·2^k) = k ln 2 + log m for m ∈ [0.75, 1.5): log m = 2 atanh(s), s = (m − 1)/(m + 1) ∈
// [−1/7, 1/5], by its odd series to s⁹ (remainder < 4e-9).
template <class S>
inline typename S::V log_mantissa(typename S::V m, typename S::V k) {
    using V = typename S::V;
    const V s = S::div(S::sub(m, S::set1(1.0f)), S::add(m, S::set1(1.0f)));
    const V s2 = S::mul(s, s);
    // A plain array, not an initializer_list: these translation units may use nothing of the
    // standard library's inline code (see simd_avx512.hpp).
    constexpr float kSeries[] = {1.0f / 9.0f, 1.0f / 7.0f, 1.0f / 5.0f, 1.0f / 3.0f, 1.0f};
    const V q = horner<S>(s2, kSeries);
    return S::fma(k, S::set1(0.693147181f), S::mul(S::set1(2.0f), S::mul(s, q)));
}

}  // namespace
}  // namespace ssmscope::kernels
