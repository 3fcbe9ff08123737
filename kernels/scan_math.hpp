// Scalar numerics the CPU and CUDA backends share, written once for both: compiled as host code
// by the C++ compiler and as host and device code by nvcc, so the two backends evaluate the same
// formulas in the same order. The CPU results do not depend on this header being shared: on the
// host every function is the one the CPU kernels used before (std:: math).
#pragma once

#include <cmath>

#ifdef __CUDACC__
#define SSMSCOPE_HOST_DEVICE __host__ __device__
#else
#define SSMSCOPE_HOST_DEVICE
#endif

namespace ssmscope::kernels::detail {

// (nr + i·ni) / (dr + i·di) by Smith's method, which neither overflows nor underflows in |d|².
template <class T>
SSMSCOPE_HOST_DEVICE inline void complex_divide(T nr, T ni, T dr, T di, T& qr, T& qi) {
    if (std::abs(dr) >= std::abs(di)) {
        const T r = di / dr, den = dr + di * r;
        qr = (nr + ni * r) / den;
        qi = (ni - nr * r) / den;
    } else {
        const T r = dr / di, den = dr * r + di;
        qr = (nr * r + ni) / den;
        qi = (ni * r - nr) / den;
    }
}

// e = exp(Δλ) and φ = (exp(Δλ) − 1)/λ for one mode of the modal scan (kernels/modal_scan.hpp).
// Re(e − 1) is formed as expm1(Δ·Reλ)·cos(Δ·Imλ) − 2 sin²(Δ·Imλ/2), free of the cancellation of
// e − 1 when |Δλ| is small.
template <class T>
SSMSCOPE_HOST_DEVICE inline void mode_coefficients(T delta, T lr, T li, T& er, T& ei, T& pr,
                                                   T& pi) {
    const T a = delta * lr, b = delta * li;
    const T m = std::exp(a), c = std::cos(b), s = std::sin(b);
    er = m * c;
    ei = m * s;
    if (lr == T(0) && li == T(0)) {
        pr = delta;
        pi = 0;
        return;
    }
    const T half = std::sin(b / 2);
    complex_divide(std::expm1(a) * c - 2 * half * half, ei, lr, li, pr, pi);
}

}  // namespace ssmscope::kernels::detail
