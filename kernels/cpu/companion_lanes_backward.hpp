// The backward of the companion scan W units at a time (companion_lanes.hpp: coordinates,
// series). Included by companion_scan.cpp and the per-instruction-set translation units, hence
// the unnamed namespace.
//
// It differentiates the truncated series the forward evaluates. For one substep, with
// M = θ[[C, β], [0, 0]], v = [h̃; x], T(M) = Σ_{k ≤ K} M^k/k! and ĝ = [g; 0] the gradient of the
// substep's output:
//   gradient of v:  T(M)'ĝ = Σ_k α_k/k!,  α_k = (M')^k ĝ  (its x part gives dx: θ β · I with
//                   I = Σ_{k ≥ 1} (θC')^(k−1) g / k!);
//   gradient of M:  Σ_{k ≥ 1} (1/k!) Σ_{i+j = k−1} α_i β_j',  β_j = M^j v,
// and â enters M only through C's last row (controllable, −â) or last column (observable), so
// dL/dâ needs one row or column of that sum: Σ_j γ_j β_j with scalars γ_j = Σ_i α_i[N−1] /
// (i+j+1)! (controllable), or Σ_i δ_i α_i with δ_i = Σ_j β_j[N−1] / (i+j+1)! (observable). Both
// Krylov sequences cost K products with C or C' (O(N) each), so a step's backward is O(K N)
// like its forward, with O(K²) scalar work per lane. dΔ comes from the exact derivative
// dh̃_t/dΔ = σ(C h̃_t + β x).
//
// States: the job keeps every state of `chunk` tokens and recomputes them chunk by chunk from
// checkpoints; when chunk ≥ L (the caller's choice where the memory allows) the states are
// computed once, without checkpoints.
#pragma once

#include <cstdint>

#include "kernels/cpu/companion_lanes.hpp"

namespace ssmscope::kernels {
namespace {

template <class T>
inline void axpy(T c, const T* x, T* y, std::int64_t count) {
#pragma omp simd
    for (std::int64_t i = 0; i < count; ++i)
        y[i] += c * x[i];
}

template <class T, int W>
inline void axpy_lanes(const T* c, const T* x, T* y, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
#pragma omp simd
        for (int w = 0; w < W; ++w)
            y[i * W + w] += c[w] * x[i * W + w];
    }
}

// Scratch of one substep's backward: five (N, W) arrays.
template <class T>
struct SubstepScratch {
    T *k0, *k1, *gnew, *I, *acc;
};

// One substep backward from the state v it started from: g (the gradient of its output, (N, W))
// becomes that of v; dx, da ((N, W), of â) and, observable, dsel (N, of this group's B_t) gain
// this substep's parts.
template <class T, int W>
void substep_backward(const Block<T, W>& B, const Token<T, W>& tok, const InverseFactorials<T>& inv,
                      const T* x, const T* v, T* g, T* dx, T* da, T* dsel,
                      const SubstepScratch<T>& sc) {
    const std::int64_t n = B.n, NW = n * W;
    const int K = tok.K;
    const T* th = tok.f[1];
    T* k0 = sc.k0;
    T* k1 = sc.k1;
    T s[kMaxTerms + 1][W];  // α_k[N−1] (controllable) or β_j[N−1] (observable)
    T c[kMaxTerms + 1][W];  // γ_j or δ_i
    copy(g, NW, sc.gnew);
    fill(sc.I, NW, T(0));
    axpy(inv.v[1], g, sc.I, NW);
    const auto coefficients = [&] {
        for (int j = 0; j < K; ++j) {
#pragma omp simd
            for (int w = 0; w < W; ++w)
                c[j][w] = 0;
            for (int i = 0; i + j < K; ++i) {
#pragma omp simd
                for (int w = 0; w < W; ++w)
                    c[j][w] += s[i][w] * inv.v[i + j + 1];
            }
        }
    };
    const auto advance = [&] {
        T* t = k0;
        k0 = k1;
        k1 = t;
    };
    // The adjoint sequence α_k = (θC')^k g (C for the observable form), k = 1 … K, into gnew and
    // I; recording α_k[N−1] in s, or summing Σ_k c_k α_k into acc.
    const auto adjoint = [&](bool record) {
        const T* cur = g;
        for (int k = 1; k <= K; ++k) {
            ctimes<T, W, false>(B.ah, cur, k0, nullptr, n, !B.obs, th);
            axpy(inv.v[k], k0, sc.gnew, NW);
            if (k < K) {
                axpy(inv.v[k + 1], k0, sc.I, NW);
                if (record) {
#pragma omp simd
                    for (int w = 0; w < W; ++w)
                        s[k][w] = k0[(n - 1) * W + w];
                } else {
                    axpy_lanes<T, W>(c[k], k0, sc.acc, n);
                }
            }
            cur = k0;
            advance();
        }
    };
    // The state's sequence β_j = (θM)^j v, j = 1 … K − 1, likewise.
    const auto state = [&](bool record) {
        const T* prev = v;
        for (int j = 1; j < K; ++j) {
            ctimes<T, W, false>(B.ah, prev, k0, nullptr, n, B.obs, th);
            if (j == 1)
                add_input(B, tok, th, x, k0);
            if (record) {
#pragma omp simd
                for (int w = 0; w < W; ++w)
                    s[j][w] = k0[(n - 1) * W + w];
            } else {
                axpy_lanes<T, W>(c[j], k0, sc.acc, n);
            }
            prev = k0;
            advance();
        }
    };
    fill(sc.acc, NW, T(0));
    if (!B.obs) {
#pragma omp simd
        for (int w = 0; w < W; ++w)
            s[0][w] = g[(n - 1) * W + w];
        adjoint(true);
        coefficients();  // γ_j
        axpy_lanes<T, W>(c[0], v, sc.acc, n);
        state(false);
#pragma omp simd
        for (int w = 0; w < W; ++w)
            dx[w] += th[w] * B.tailb[w] * sc.I[(n - 1) * W + w];
    } else {
#pragma omp simd
        for (int w = 0; w < W; ++w)
            s[0][w] = v[(n - 1) * W + w];
        state(true);
        coefficients();  // δ_i
        axpy_lanes<T, W>(c[0], g, sc.acc, n);
        adjoint(false);
        // β_i = σ^(i−1) B_t[i] = tok.sv: dx = θ β · I, dB_t[i] = σ^(i−1) θ x I_i over the lanes.
        for (std::int64_t i = 0; i < n; ++i) {
            T part = 0;
#pragma omp simd
            for (int w = 0; w < W; ++w) {
                const T ti = th[w] * sc.I[i * W + w];
                dx[w] += tok.sv[i * W + w] * ti;
                part += B.spow[i * W + w] / B.sig[w] * x[w] * ti;
            }
            dsel[i] += part;
        }
    }
    // dL/dâ = −θ (the row or column of the sum).
    for (std::int64_t i = 0; i < n; ++i) {
#pragma omp simd
        for (int w = 0; w < W; ++w)
            da[i * W + w] -= th[w] * sc.acc[i * W + w];
    }
    copy(sc.gnew, NW, g);
}

template <class T, int W>
void backward_lanes(const CompanionLanesJob<T>& job) {
    const FlushDenormals flush;
    const CompanionScanArgs<T>& a = *job.args;
    const CompanionScanShape& s = a.shape;
    const CompanionScanGrads<T>& grads = *job.grads;
    const std::int64_t n = s.order, P = s.channels, L = s.length, NW = n * W, PNW = P * NW;
    const std::int64_t C = job.chunk, chunks = (L + C - 1) / C;
    const LanesLayout lay(s, C, job.substeps, W);
    T* scr = job.scratch;
    const InverseFactorials<T> inv;
    const SubstepScratch<T> sc{scr + lay.t0, scr + lay.t1, scr + lay.t2, scr + lay.t3,
                               scr + lay.t4};
    T* g = scr + lay.g;
    T* states = scr + lay.states;
    T* ckpt = scr + lay.ckpt;
    T* sub = scr + lay.sub;
    T* da = scr + lay.da;
    T ones[W];
    fill(ones, W, T(1));
    for (std::int64_t u0 = job.u0; u0 < job.u0 + job.count; u0 += W) {
        const Block<T, W> B(a, job.b, u0, imin(W, job.u0 + job.count - u0), scr + lay.ah,
                            scr + lay.spow);
        Token<T, W> tok;
        tok.sv = scr + lay.sv;
        fill(g, PNW, T(0));
        fill(da, NW, T(0));
        if (chunks > 1) {
            T* hs = scr + lay.hs;
            fill(hs, PNW, T(0));
            for (std::int64_t c = 0; c < chunks; ++c) {
                copy(hs, PNW, ckpt + c * PNW);
                for (std::int64_t t = c * C; t < imin(L, (c + 1) * C); ++t) {
                    tok.set(B, t);
                    step_all(B, tok, t, hs, sc.k0, sc.k1);
                }
            }
        }
        for (std::int64_t c = chunks - 1; c >= 0; --c) {
            const std::int64_t t0 = c * C, t1 = imin(L, t0 + C);
            // states[k] = h̃_{t0+k−1}.
            if (chunks > 1)
                copy(ckpt + c * PNW, PNW, states);
            else
                fill(states, PNW, T(0));
            for (std::int64_t t = t0; t < t1; ++t) {
                T* next = states + (t - t0 + 1) * PNW;
                copy(next - PNW, PNW, next);
                tok.set(B, t);
                step_all(B, tok, t, next, sc.k0, sc.k1);
            }
            for (std::int64_t t = t1 - 1; t >= t0; --t) {
                tok.set(B, t);
                T* dsel = grads.dsel + (B.bt(t) * s.groups + B.g) * n;
                const T* dyt = job.dy + B.index(t) * P;
                T* dxt = grads.dx + B.index(t) * P;
                T ddelta[W] = {};
                for (std::int64_t p = 0; p < P; ++p) {
                    T x[W], dy[W];
                    load_x(B, t, p, x);
                    for (std::int64_t w = 0; w < W; ++w)
                        dy[w] = w < B.lanes ? dyt[w * P + p] : T(0);
                    const T* hp = states + (t - t0) * PNW + p * NW;  // h̃_{t−1}
                    const T* ht = hp + PNW;                          // h̃_t
                    T* gp = g + p * NW;
                    // The output y_t[p].
                    if (B.obs) {
#pragma omp simd
                        for (int w = 0; w < W; ++w)
                            gp[(n - 1) * W + w] += dy[w] * B.tail[w];
                    } else {
                        for (std::int64_t i = 0; i < n; ++i) {
                            T part = 0;
#pragma omp simd
                            for (int w = 0; w < W; ++w) {
                                gp[i * W + w] += dy[w] * tok.sv[i * W + w];
                                part += dy[w] * B.spow[i * W + w] * ht[i * W + w];
                            }
                            dsel[i] += part;
                        }
                    }
                    // dh̃_t/dΔ = σ(C h̃_t + β x).
                    T* tmp = sc.acc;
                    ctimes<T, W, false>(B.ah, ht, tmp, nullptr, n, B.obs, ones);
                    add_input(B, tok, ones, x, tmp);
                    for (std::int64_t i = 0; i < n; ++i) {
#pragma omp simd
                        for (int w = 0; w < W; ++w)
                            ddelta[w] += B.sig[w] * gp[i * W + w] * tmp[i * W + w];
                    }
                    // The substeps' starting states, then their backward in reverse.
                    if (tok.s > 1) {
                        copy(hp, NW, sub);
                        for (int r = 1; r < tok.s; ++r) {
                            copy(sub + (r - 1) * NW, NW, sub + r * NW);
                            substep(B, tok, x, sub + r * NW, sc.k0, sc.k1);
                        }
                    }
                    T dx[W] = {};
                    for (int r = tok.s - 1; r >= 0; --r)
                        substep_backward(B, tok, inv, x, tok.s > 1 ? sub + r * NW : hp, gp, dx, da,
                                         dsel, sc);
                    for (std::int64_t w = 0; w < B.lanes; ++w)
                        dxt[w * P + p] = dx[w];
                }
                for (std::int64_t w = 0; w < B.lanes; ++w)
                    grads.ddelta[B.index(t) + w] = ddelta[w];
            }
        }
        // dL/da_j = dL/dâ_j σ^(j−N).
        for (std::int64_t w = 0; w < B.lanes; ++w) {
            for (std::int64_t j = 0; j < n; ++j)
                job.dcoeffs[(u0 - job.u0 + w) * n + j] = static_cast<T>(__builtin_ldexp(
                    static_cast<double>(da[j * W + w]), B.e[w] * static_cast<int>(j - n)));
        }
    }
}

}  // namespace
}  // namespace ssmscope::kernels
