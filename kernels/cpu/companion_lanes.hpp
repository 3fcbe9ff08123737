// The companion scan (kernels/companion_scan.hpp) W units at a time: the pieces shared by the
// forward and the backward (companion_lanes_backward.hpp). Included by companion_scan.cpp (the
// baseline build) and by the per-instruction-set translation units, hence the unnamed namespace
// and no std:: templates: nothing compiled here for a wider instruction set may be linked into a
// baseline caller. W, the lane count, is a compile-time constant so that every loop over the
// lanes vectorises.
//
// Coordinates. companion(a) of a polynomial whose roots have modulus ~ρ has entries ~ρ^{N−j}, so
// its norm, and with it the number of Taylor terms and substeps, can be orders of magnitude above
// ρ (Butterworth poles of radius 1 at N = 16: ||A||_1 ~ 1e3). The scan therefore runs in the
// diagonally scaled coordinates h̃ = D⁻¹h, D = diag(σ^i) (controllable) or diag(σ^−i)
// (observable), where D⁻¹AD = σ·companion(â) (or its transpose) with â_j = a_j σ^(j−N): the
// polynomial of the roots divided by σ. σ is a power of two near max_j |a_j|^(1/(N−j)) (within a
// factor 2 of the largest root modulus, by Fujiwara's bound), so the scaling is exact in floating
// point and ||companion(â)|| is O(N) whatever the roots' size.
//
// Series. Each step is exp(θM)^s applied to [h̃; x], M = [[C, β], [0, 0]] with C = companion(â)
// (or its transpose), β the scaled input vector and θ = σΔ/s, s = ceil(Δ·norm) substeps so that
// ||θC||_2 ≤ r ≤ 1 (bounded by √(||θC||_1 ||θC||_∞), which holds for C' as well). The series is
// truncated a priori after K terms, K the least with r^K/K! ≤ u (the unit roundoff of T): the
// remainder is then below u/(K+1) relative to the first-order term in every lane, and the backward,
// which differentiates the same truncated polynomial, is exact for what the forward computed up to
// that bound too.
#pragma once

#include <cstdint>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "kernels/companion_scan.hpp"
#include "kernels/cpu/companion_scan_isa.hpp"

namespace ssmscope::kernels {
namespace {

constexpr int kMaxTerms = 30;  // K ≤ 19 for double at r = 1; the cap is never reached

template <class T>
constexpr double kUnitRoundoff = sizeof(T) == 4 ? 0x1p-24 : 0x1p-53;

// Denormals flushed to zero (and read as zero) while a job runs, the previous mode restored after.
// The scaled coordinates spread a state's components over many binary orders of magnitude, and
// the products of its smallest components with the smallest coefficients fall below the normal
// range, where every operation costs ~100 cycles (ST-Mamba-2's Butterworth heads ran 11× slower);
// those parts are below 2^−126 (float) of the state's largest, far under its rounding.
struct FlushDenormals {
#if defined(__SSE__)
    unsigned saved = _mm_getcsr();
    FlushDenormals() {
        _mm_setcsr(saved | 0x8040);
    }  // FTZ | DAZ
    ~FlushDenormals() {
        _mm_setcsr(saved);
    }
    FlushDenormals(const FlushDenormals&) = delete;
    FlushDenormals& operator=(const FlushDenormals&) = delete;
#endif
};

inline double dmax(double a, double b) {
    return a < b ? b : a;
}
template <class T>
inline T tabs(T v) {
    return v < 0 ? -v : v;
}
inline std::int64_t imin(std::int64_t a, std::int64_t b) {
    return a < b ? a : b;
}

// 1/k! for k = 0 … kMaxTerms + 1.
template <class T>
struct InverseFactorials {
    T v[kMaxTerms + 2];
    InverseFactorials() {
        double f = 1;
        for (int k = 0; k < kMaxTerms + 2; ++k) {
            if (k > 0)
                f /= k;
            v[k] = static_cast<T>(f);
        }
    }
};

// The scaling of one unit: σ = 2^e and the bound norm = σ √(||C(â)||_1 ||C(â)||_∞) ≥ σ||C(â)||_2
// that sets the substeps (Δ·norm ≤ s).
struct UnitScale {
    int e = 0;
    double norm = 0;
};

template <class T>
UnitScale unit_scale(const T* a, std::int64_t n) {
    double lg = -1e300;
    for (std::int64_t j = 0; j < n; ++j) {
        const double v = tabs(static_cast<double>(a[j]));
        if (v > 0)
            lg = dmax(lg, __builtin_log2(v) / static_cast<double>(n - j));
    }
    UnitScale u;
    if (lg > -1e300) {
        // σ^(N−1) and σ^−N must stay normal numbers of T.
        const double lim = (sizeof(T) == 4 ? 100.0 : 900.0) / static_cast<double>(n);
        u.e = static_cast<int>(__builtin_nearbyint(lg < -lim ? -lim : (lg > lim ? lim : lg)));
    }
    // companion(â): ones on the superdiagonal and −â in the last row. 1-norm: max(|â_0|, 1 +
    // |â_j|); ∞-norm: max(1, Σ|â_j|).
    double col = 0, row = 0;
    for (std::int64_t j = 0; j < n; ++j) {
        const double v =
            tabs(__builtin_ldexp(static_cast<double>(a[j]), u.e * static_cast<int>(j - n)));
        row += v;
        col = dmax(col, j == 0 ? v : 1 + v);
    }
    u.norm = __builtin_ldexp(__builtin_sqrt(col * dmax(1.0, row)), u.e);
    return u;
}

// K for ||θC|| ≤ r: the least K with r^K/K! ≤ u.
template <class T>
int series_terms(double r) {
    double term = r;
    int k = 1;
    while (term > kUnitRoundoff<T> && k < kMaxTerms) {
        ++k;
        term *= r / k;
    }
    return k;
}

// One block of W units (lanes past `lanes` idle: â = 0, Δ = 0, nothing written), in the scaled
// coordinates. Arrays are (N, W), lanes innermost.
template <class T, int W>
struct Block {
    const CompanionScanArgs<T>* a = nullptr;
    std::int64_t n = 0, b = 0, u0 = 0, lanes = 0, g = 0;
    bool obs = false;
    T* ah = nullptr;    // â
    T* spow = nullptr;  // σ^i: the output vector C_t scaled (controllable) or the input B_t
    T sig[W] = {};      // σ
    T tail[W] = {};  // σ^−(N−1): controllable input e_N scaled (÷σ: tailb), observable output
    T tailb[W] = {};  // σ^−N
    double norm[W] = {};
    int e[W] = {};

    Block(const CompanionScanArgs<T>& args, std::int64_t batch, std::int64_t first,
          std::int64_t count, T* ah_scratch, T* spow_scratch)
        : a(&args),
          n(args.shape.order),
          b(batch),
          u0(first),
          lanes(count),
          g(first / (args.shape.units / args.shape.groups)),
          obs(args.observable),
          ah(ah_scratch),
          spow(spow_scratch) {
        for (std::int64_t w = 0; w < W; ++w) {
            const T* c = args.coeffs + (u0 + (w < lanes ? w : 0)) * n;
            UnitScale us;
            if (w < lanes)
                us = unit_scale(c, n);
            e[w] = us.e;
            norm[w] = us.norm;
            sig[w] = static_cast<T>(__builtin_ldexp(1.0, us.e));
            tail[w] = static_cast<T>(__builtin_ldexp(1.0, -us.e * static_cast<int>(n - 1)));
            tailb[w] = static_cast<T>(__builtin_ldexp(1.0, -us.e * static_cast<int>(n)));
            for (std::int64_t j = 0; j < n; ++j) {
                ah[j * W + w] =
                    w < lanes ? static_cast<T>(__builtin_ldexp(static_cast<double>(c[j]),
                                                               us.e * static_cast<int>(j - n)))
                              : T(0);
                spow[j * W + w] = static_cast<T>(__builtin_ldexp(1.0, us.e * static_cast<int>(j)));
            }
        }
    }
    std::int64_t bt(std::int64_t t) const { return b * a->shape.length + t; }
    // (b, t, u0) of the (batch, L, U) arrays.
    std::int64_t index(std::int64_t t) const { return bt(t) * a->shape.units + u0; }
    const T* sel(std::int64_t t) const { return a->sel + (bt(t) * a->shape.groups + g) * n; }
};

// The per-token quantities shared by a unit's channels.
template <class T, int W>
struct Token {
    T d[W] = {};                 // Δ
    T f[kMaxTerms + 1][W] = {};  // θ/k (f[1] = θ)
    int s = 1, K = 1;
    T* sv = nullptr;  // (N, W): σ^i C_t (controllable output) or σ^(i−1) B_t (observable input)

    void set(const Block<T, W>& B, std::int64_t t) {
        const T* delta = B.a->delta + B.index(t);
        double worst = 0;
        for (std::int64_t w = 0; w < W; ++w) {
            d[w] = w < B.lanes ? delta[w] : T(0);
            worst = dmax(worst, static_cast<double>(d[w]) * B.norm[w]);
        }
        s = worst > 1 ? static_cast<int>(__builtin_ceil(worst)) : 1;
        K = series_terms<T>(worst / s);
        for (int k = 1; k <= K; ++k) {
#pragma omp simd
            for (int w = 0; w < W; ++w)
                f[k][w] = d[w] * B.sig[w] / static_cast<T>(s * k);
        }
        const T* c = B.sel(t);
        const std::int64_t n = B.n;
        for (std::int64_t i = 0; i < n; ++i) {
#pragma omp simd
            for (int w = 0; w < W; ++w)
                sv[i * W + w] =
                    B.obs ? c[i] * B.spow[i * W + w] / B.sig[w] : c[i] * B.spow[i * W + w];
        }
    }
};

// out = f ∘ (C v) (transposed = false) or f ∘ (C' v), C = companion(â) lane by lane; with Acc,
// also h += out. O(N) per lane: a shift and one dot product (C) or axpy (C').
template <class T, int W, bool Acc>
inline void ctimes(const T* a, const T* v, T* out, T* h, std::int64_t n, bool transposed,
                   const T* f) {
    if (!transposed) {
        // The dot product in four independent sums: one chain of N dependent multiply-adds would
        // bound the product by their latency.
        T s0[W] = {}, s1[W] = {}, s2[W] = {}, s3[W] = {}, last[W];
        std::int64_t j = 0;
        for (; j + 4 <= n; j += 4) {
#pragma omp simd
            for (int w = 0; w < W; ++w) {
                s0[w] += a[j * W + w] * v[j * W + w];
                s1[w] += a[(j + 1) * W + w] * v[(j + 1) * W + w];
                s2[w] += a[(j + 2) * W + w] * v[(j + 2) * W + w];
                s3[w] += a[(j + 3) * W + w] * v[(j + 3) * W + w];
            }
        }
        for (; j < n; ++j) {
#pragma omp simd
            for (int w = 0; w < W; ++w)
                s0[w] += a[j * W + w] * v[j * W + w];
        }
#pragma omp simd
        for (int w = 0; w < W; ++w)
            last[w] = -((s0[w] + s1[w]) + (s2[w] + s3[w]));
        for (std::int64_t i = 0; i + 1 < n; ++i) {
#pragma omp simd
            for (int w = 0; w < W; ++w) {
                const T o = f[w] * v[(i + 1) * W + w];
                out[i * W + w] = o;
                if constexpr (Acc)
                    h[i * W + w] += o;
            }
        }
#pragma omp simd
        for (int w = 0; w < W; ++w) {
            const T o = f[w] * last[w];
            out[(n - 1) * W + w] = o;
            if constexpr (Acc)
                h[(n - 1) * W + w] += o;
        }
    } else {
        const T* top = v + (n - 1) * W;
        T ft[W];
#pragma omp simd
        for (int w = 0; w < W; ++w) {
            ft[w] = f[w] * top[w];
            const T o = -a[w] * ft[w];
            out[w] = o;
            if constexpr (Acc)
                h[w] += o;
        }
        for (std::int64_t j = 1; j < n; ++j) {
#pragma omp simd
            for (int w = 0; w < W; ++w) {
                const T o = f[w] * v[(j - 1) * W + w] - a[j * W + w] * ft[w];
                out[j * W + w] = o;
                if constexpr (Acc)
                    h[j * W + w] += o;
            }
        }
    }
}

// o += c ∘ (the input column times x): β x with β = σ^−N e_N (controllable) or tok.sv.
template <class T, int W>
inline void add_input(const Block<T, W>& B, const Token<T, W>& tok, const T* c, const T* x, T* o) {
    const std::int64_t n = B.n;
    if (!B.obs) {
#pragma omp simd
        for (int w = 0; w < W; ++w)
            o[(n - 1) * W + w] += c[w] * B.tailb[w] * x[w];
        return;
    }
    for (std::int64_t i = 0; i < n; ++i) {
#pragma omp simd
        for (int w = 0; w < W; ++w)
            o[i * W + w] += c[w] * tok.sv[i * W + w] * x[w];
    }
}

// One substep: h <- Σ_{k ≤ K} (θM)^k [h; x] / k!. t0, t1: (N, W) scratch.
template <class T, int W>
inline void substep(const Block<T, W>& B, const Token<T, W>& tok, const T* x, T* h, T* t0, T* t1) {
    const std::int64_t n = B.n;
    ctimes<T, W, false>(B.ah, h, t0, nullptr, n, B.obs, tok.f[1]);
    add_input(B, tok, tok.f[1], x, t0);
    for (std::int64_t i = 0; i < n * W; ++i)
        h[i] += t0[i];
    for (int k = 2; k <= tok.K; ++k) {
        ctimes<T, W, true>(B.ah, t0, t1, h, n, B.obs, tok.f[k]);
        T* swap = t0;
        t0 = t1;
        t1 = swap;
    }
}

// The lanes' x_t[p].
template <class T, int W>
inline void load_x(const Block<T, W>& B, std::int64_t t, std::int64_t p, T* x) {
    const std::int64_t P = B.a->shape.channels;
    const T* src = B.a->x + B.index(t) * P + p;
    for (std::int64_t w = 0; w < W; ++w)
        x[w] = w < B.lanes ? src[w * P] : T(0);
}

// A whole step of every channel: hs = (P, N, W) states, advanced from t−1 to t.
template <class T, int W>
inline void step_all(const Block<T, W>& B, const Token<T, W>& tok, std::int64_t t, T* hs, T* t0,
                     T* t1) {
    const std::int64_t P = B.a->shape.channels, NW = B.n * W;
    T x[W];
    for (std::int64_t p = 0; p < P; ++p) {
        load_x(B, t, p, x);
        for (int r = 0; r < tok.s; ++r)
            substep(B, tok, x, hs + p * NW, t0, t1);
    }
}

// Scratch layout of a job (element offsets), shared by the forward and the backward.
struct LanesLayout {
    std::int64_t ah, spow, sv, t0, t1, t2, t3, t4, da, hs, total;
    // backward only
    std::int64_t g, states, ckpt, sub;
    LanesLayout(const CompanionScanShape& s, std::int64_t chunk, std::int64_t substeps, int W) {
        const std::int64_t NW = s.order * W, PNW = s.channels * NW;
        std::int64_t o = 0;
        const auto take = [&](std::int64_t size) {
            const std::int64_t at = o;
            o += (size + 15) / 16 * 16;  // 64-byte steps for float
            return at;
        };
        ah = take(NW);
        spow = take(NW);
        sv = take(NW);
        t0 = take(NW);
        t1 = take(NW);
        t2 = take(NW);
        t3 = take(NW);
        t4 = take(NW);
        da = take(NW);
        hs = take(PNW);
        if (chunk > 0) {
            const std::int64_t chunks = (s.length + chunk - 1) / chunk;
            g = take(PNW);
            states = take((chunk + 1) * PNW);
            ckpt = take(chunks > 1 ? chunks * PNW : 0);
            sub = take(substeps * NW);
        } else {
            g = states = ckpt = sub = o;
        }
        total = o;
    }
};

template <class T>
inline void fill(T* p, std::int64_t count, T v) {
    for (std::int64_t i = 0; i < count; ++i)
        p[i] = v;
}
template <class T>
inline void copy(const T* from, std::int64_t count, T* to) {
    for (std::int64_t i = 0; i < count; ++i)
        to[i] = from[i];
}

// The forward of job.count units, block by block: y_t = σ^i C_t · h̃_t (controllable) or
// σ^−(N−1) h̃_t[N−1] (observable).
template <class T, int W>
void forward_lanes(const CompanionLanesJob<T>& job) {
    const FlushDenormals flush;
    const CompanionScanArgs<T>& a = *job.args;
    const CompanionScanShape& s = a.shape;
    const std::int64_t n = s.order, P = s.channels, NW = n * W;
    const LanesLayout lay(s, 0, 1, W);
    T* scratch = job.scratch;
    for (std::int64_t u0 = job.u0; u0 < job.u0 + job.count; u0 += W) {
        const Block<T, W> B(a, job.b, u0, imin(W, job.u0 + job.count - u0), scratch + lay.ah,
                            scratch + lay.spow);
        Token<T, W> tok;
        tok.sv = scratch + lay.sv;
        T* hs = scratch + lay.hs;
        fill(hs, P * NW, T(0));
        for (std::int64_t t = 0; t < s.length; ++t) {
            tok.set(B, t);
            step_all(B, tok, t, hs, scratch + lay.t0, scratch + lay.t1);
            T* y = job.y + B.index(t) * P;
            for (std::int64_t p = 0; p < P; ++p) {
                const T* h = hs + p * NW;
                T out[W] = {};
                if (B.obs) {
#pragma omp simd
                    for (int w = 0; w < W; ++w)
                        out[w] = B.tail[w] * h[(n - 1) * W + w];
                } else {
                    for (std::int64_t i = 0; i < n; ++i) {
#pragma omp simd
                        for (int w = 0; w < W; ++w)
                            out[w] += tok.sv[i * W + w] * h[i * W + w];
                    }
                }
                for (std::int64_t w = 0; w < B.lanes; ++w)
                    y[w * P + p] = out[w];
            }
        }
    }
}

}  // namespace
}  // namespace ssmscope::kernels
