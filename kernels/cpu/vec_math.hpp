// Scalar math written so that a loop calling it vectorises: the inner loops of the scans evaluate
// exp(Δ·A[n]) for every state n, and the C library's exp is an opaque call that stops the
// compiler from vectorising them. These versions are branch-free (selects only), use only
// arithmetic and integer bit operations, and are inlined.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace ssmscope::kernels {

namespace detail {

// exp by range reduction x = k·ln2 + r, |r| ≤ ln2/2, a Taylor polynomial for e^r and 2^k built
// from the exponent bits. k is rounded with the 1.5·2^mantissa "magic number" addition, which
// also leaves k in the low bits of the sum, so no float-to-integer conversion is needed.
inline double exp_impl(double x) {
    constexpr double kLog2e = 1.4426950408889634;
    constexpr double kLn2Hi = 6.93147180369123816490e-01;  // ln2 split so that k·kLn2Hi is exact
    constexpr double kLn2Lo = 1.90821492927058770002e-10;
    constexpr double kMagic = 6755399441055744.0;  // 1.5·2^52
    constexpr double kLo = -708.0, kHi = 709.0;    // 2^k stays a normal number in between
    const double xc = x < kLo ? kLo : (x > kHi ? kHi : x);
    const double kd = xc * kLog2e + kMagic;
    const double k = kd - kMagic;
    const double r = (xc - k * kLn2Hi) - k * kLn2Lo;
    // Taylor to degree 13: the remainder r^14/14! < 1e-18 for |r| ≤ 0.347.
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    const std::int64_t ki = std::bit_cast<std::int64_t>(kd) - std::bit_cast<std::int64_t>(kMagic);
    const double scale = std::bit_cast<double>((ki + 1023) << 52);
    const double result = p * scale;
    // Below the clamp the true value is denormal or zero: zero is what the scans need (a fully
    // decayed state); above it, infinity.
    return x < kLo ? 0.0 : (x > kHi ? HUGE_VAL : result);
}

inline float exp_impl(float x) {
    constexpr float kLog2e = 1.44269504f;
    constexpr float kLn2Hi = 0.693359375f;  // 8 significant bits: k·kLn2Hi is exact
    constexpr float kLn2Lo = -2.12194440e-4f;
    constexpr float kMagic = 12582912.0f;  // 1.5·2^23
    constexpr float kLo = -87.0f, kHi = 88.0f;
    const float xc = x < kLo ? kLo : (x > kHi ? kHi : x);
    const float kd = xc * kLog2e + kMagic;
    const float k = kd - kMagic;
    const float r = (xc - k * kLn2Hi) - k * kLn2Lo;
    // Taylor to degree 7: the remainder r^8/8! < 6e-9 for |r| ≤ 0.347.
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const std::int32_t ki = std::bit_cast<std::int32_t>(kd) - std::bit_cast<std::int32_t>(kMagic);
    const float scale = std::bit_cast<float>((ki + 127) << 23);
    const float result = p * scale;
    return x < kLo ? 0.0f : (x > kHi ? HUGE_VALF : result);
}

}  // namespace detail

// e^x to a few ulp, vectorisable. NaN in gives an unspecified finite or NaN value out.
template <class T>
inline T vexp(T x) {
    return detail::exp_impl(x);
}

// The softplus of mamba_ssm's kernels: x above 20 is returned as is (log1p(e^x) = x there to
// float precision), which keeps exp from overflowing.
template <class T>
inline T softplus(T x) {
    return x > T(20) ? x : std::log1p(std::exp(x));
}

// d softplus / dx = σ(x), with the same threshold (derivative 1 above it).
template <class T>
inline T softplus_grad(T x) {
    return x > T(20) ? T(1) : T(1) / (T(1) + std::exp(-x));
}

template <class T>
inline T sigmoid(T x) {
    return T(1) / (T(1) + std::exp(-x));
}

// SiLU(z) = z·σ(z) and its derivative σ(z)·(1 + z·(1 − σ(z))).
template <class T>
inline T silu(T z) {
    return z * sigmoid(z);
}
template <class T>
inline T silu_grad(T z) {
    const T s = sigmoid(z);
    return s * (T(1) + z * (T(1) - s));
}

}  // namespace ssmscope::kernels
