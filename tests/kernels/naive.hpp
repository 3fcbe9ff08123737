// Plain loops written from the formulas of the scans (docs/kernels.md §1(a), §1(b), and the modal
// form of model/nn/companion.cpp, §1(c)), in double and without any of the kernels' machinery: no
// chunks, no threads, no vectorised exp, std::complex for the modes. The kernels are checked
// against these.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace ssmscope::test {

using Vec = std::vector<double>;

// Mamba-1. u, delta, z: (batch, L, E); A: (E, N); B, C: (batch, L, G, N); D, bias: (E) or empty.
// Returns y (batch, L, E); last: (batch, E, N).
Vec naive_selective_scan(std::int64_t batch, std::int64_t L, std::int64_t E, std::int64_t N,
                         std::int64_t G, const Vec& u, const Vec& delta, const Vec& A, const Vec& B,
                         const Vec& C, const Vec& D, const Vec& z, const Vec& bias, bool softplus,
                         Vec& last);

// Mamba-2 heads. x: (batch, L, H, P); delta: (batch, L, H); A, D, bias: (H) (D, bias may be
// empty); B, C: (batch, L, G, N). Returns y (batch, L, H, P); last: (batch, H, P, N).
Vec naive_ssd_scan(std::int64_t batch, std::int64_t L, std::int64_t H, std::int64_t P,
                   std::int64_t N, std::int64_t G, const Vec& x, const Vec& delta, const Vec& A,
                   const Vec& B, const Vec& C, const Vec& D, const Vec& bias, bool softplus,
                   Vec& last);

// Modal scan. x: (batch, L, U, P); delta: (batch, L, U); lambda: (U, N); g, o: (batch, L, U, N)
// when selective, (U, N) otherwise (real and imaginary parts apart). Returns y (batch, L, U, P);
// last: (batch, U, P, N) real and imaginary.
Vec naive_modal_scan(std::int64_t batch, std::int64_t L, std::int64_t U, std::int64_t P,
                     std::int64_t N, const Vec& x, const Vec& delta, const Vec& lambda_re,
                     const Vec& lambda_im, const Vec& g_re, const Vec& g_im, bool g_selective,
                     const Vec& o_re, const Vec& o_im, bool o_selective, Vec& last_re,
                     Vec& last_im);

// n values uniform in [lo, hi).
Vec uniform(std::mt19937_64& rng, std::int64_t n, double lo, double hi);

// max_i |a_i − b_i| / max_i |b_i| (0 when both are zero; NaN where either holds a NaN).
double relative_error(const Vec& a, const Vec& b);

template <class T, class S>
std::vector<T> cast(const std::vector<S>& v) {
    return std::vector<T>(v.begin(), v.end());
}

// Σ_i w_i v_i.
double dot(const Vec& w, const Vec& v);

// (loss(x + h e_i) − loss(x − h e_i)) / 2h for every entry i of x; x is restored afterwards.
template <class F>
Vec central_differences(Vec& x, F&& loss, double h = 1e-5) {
    Vec out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double x0 = x[i];
        x[i] = x0 + h;
        const double up = loss();
        x[i] = x0 - h;
        const double down = loss();
        x[i] = x0;
        out[i] = (up - down) / (2 * h);
    }
    return out;
}

template <class T>
bool bitwise_equal(const std::vector<T>& a, const std::vector<T>& b) {
    // memcmp must not see the null data() of an empty vector (absent gradients are empty).
    return a.size() == b.size() &&
           (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

}  // namespace ssmscope::test
