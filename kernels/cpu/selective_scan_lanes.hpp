// Mamba-1's selective scan with one channel per SIMD lane, for float: the fast forward and step.
// Included only by the per-instruction-set translation units (selective_scan_avx512.cpp,
// selective_scan_avx2.cpp) with the lane type S of simd_avx512.hpp or simd_avx2.hpp, hence the
// unnamed namespace.
//
// Why lanes across channels rather than across states: with W neighbouring channels in a vector,
// the state h[n] of all of them is one register, a step reads one contiguous run of u, Δ, z and
// writes one of y, and the sum over n that forms y is a plain multiply-add per state instead of a
// horizontal reduction per channel; softplus and SiLU are computed W at a time too. Per state
// and step the work is one exp2 (a degree-6 polynomial and a scale) and three multiply-adds, all
// in registers for N = 16 (the state vectors and the accumulator fit the 32 AVX-512 registers).
// Where the block's A is harmonic (harmonic_spectrum.hpp: the S4D-real spectrum of an untrained
// or A-frozen Mamba) and N = 16, the exp2 per state is replaced by one per step and its powers,
// one multiplication per state (bench_scan: a forward 1.9x as fast).
#pragma once

#include <cstdint>

#include "kernels/cpu/harmonic_spectrum.hpp"
#include "kernels/cpu/selective_scan.hpp"
#include "kernels/cpu/selective_scan_isa.hpp"

namespace ssmscope::kernels {
namespace {

template <class S>
struct LaneInputs {
    using V = typename S::V;
    const float *u, *dt, *z, *B, *C;  // at step 0 of channel d0 (u, dt, z) or of group g (B, C)
    std::int64_t E, GN;               // step strides
    V D, bias;
    bool softplus;
    typename S::M m;
    bool whole;       // all W lanes are channels: plain loads and stores instead of masked ones
    const float* a2;  // (N, W): A[d0 + k, n]·log2 e
    bool harmonic;    // A[d0 + k, n] = (n + 1)·A[d0 + k, 0] for all the block's channels
};

// A row of the W channels at p, and its store. The masked forms matter only for the last block
// of a row whose channels do not fill it; elsewhere the plain ones are used because AVX2's masked
// load (vmaskmovps) costs several times a plain one.
template <class S>
inline typename S::V lane_load(const LaneInputs<S>& in, const float* p) {
    return in.whole ? S::loadu(p) : S::load(p, in.m);
}
template <class S>
inline void lane_store(const LaneInputs<S>& in, float* p, typename S::V v) {
    if (in.whole)
        S::storeu(p, v);
    else
        S::store(p, v, in.m);
}

// softplus(x) = log1p(e^x), with x returned above 20 as mamba_ssm does; log1p(y) as
// log(1 + y)·y/((1 + y) − 1), exact to a few ulp even where 1 + y rounds (and y itself when it
// rounds to 1).
template <class S>
inline typename S::V lane_softplus(typename S::V x) {
    using V = typename S::V;
    const V e = S::exp(x);
    const V w = S::add(S::set1(1.0f), e);
    const V wm1 = S::sub(w, S::set1(1.0f));
    const V lg = S::select_eq(wm1, S::zero(), e, S::mul(S::log(w), S::div(e, wm1)));
    return S::select_gt(x, S::set1(20.0f), x, lg);
}

template <class S>
inline typename S::V lane_silu(typename S::V z) {
    return S::div(z, S::add(S::set1(1.0f), S::exp(S::sub(S::zero(), z))));
}

// Δ from the raw dt of a step: bias, then softplus when asked.
template <class S>
inline typename S::V lane_delta(const LaneInputs<S>& in, typename S::V dt) {
    const typename S::V v = S::add(dt, in.bias);
    return in.softplus ? lane_softplus<S>(v) : v;
}

// Steps t ∈ [t0, t1) from the states h[n] (kN > 0: a compile-time N whose states the compiler
// keeps in registers; kN = 0: N at run time, states in memory). Writes y at rows t (y points at
// step 0 of channel d0) when y is non-null and, when kKeep, the state after each step and its
// decay exp(Δ_t A[n]) to states[(t − t0)·N + n] and decays[same] for the backward. kPowers (only
// with kN > 0, for a harmonic block): the decays as powers q^(n+1) of q = exp(Δ_t A[0]).
template <class S, int kN, bool kKeep = false, bool kPowers = false>
inline void lane_scan(const LaneInputs<S>& in, std::int64_t t0, std::int64_t t1,
                      std::int64_t N_runtime, typename S::V* h, float* y,
                      typename S::V* states = nullptr, typename S::V* decays = nullptr) {
    using V = typename S::V;
    static_assert(!kPowers || kN > 0, "the powers need a compile-time state count");
    const std::int64_t N = kN > 0 ? kN : N_runtime;
    // Prefetch distance in steps: the sequence arrays are read one row (E floats) apart, a stride
    // the hardware prefetchers do not follow across pages. y is written a line per row: through
    // the caches each such store first reads its line, and stalls on it unless the line was
    // prefetched for writing (which measured as fast here as streaming stores past the caches).
    constexpr std::int64_t kAhead = 8;
    for (std::int64_t t = t0; t < t1; ++t) {
        const std::int64_t row = t * in.E;
        if (t + kAhead < t1) {
            S::prefetch(in.u + row + kAhead * in.E);
            S::prefetch(in.dt + row + kAhead * in.E);
            if (in.z && y)
                S::prefetch(in.z + row + kAhead * in.E);
            if (y)
                __builtin_prefetch(y + row + kAhead * in.E, 1);
        }
        const V u = lane_load(in, in.u + row);
        const V delta = lane_delta(in, lane_load(in, in.dt + row));
        const V du = S::mul(delta, u);
        const float* Bt = in.B + t * in.GN;
        const float* Ct = in.C + t * in.GN;
        // Four partial sums for y: one chain of N dependent multiply-adds would cost N times
        // their latency per step.
        V acc[4] = {S::zero(), S::zero(), S::zero(), S::zero()};
        // The powers q^(n+1) as two chains, odd and even exponents, each multiplying by q²: four
        // registers live instead of the half of the states a product tree keeps (AVX2 has only
        // 16, and the states take them all), and chains of N/2 that the steps around them
        // overlap; the rounding adds about one ulp per multiplication.
        V q = S::zero(), q2 = S::zero(), odd = S::zero(), even = S::zero();
        if constexpr (kPowers) {
            q = S::exp2(S::mul(delta, S::loadu(in.a2)));
            q2 = S::mul(q, q);
        }
#pragma GCC unroll 16
        for (std::int64_t n = 0; n < N; ++n) {
            V decay;
            if constexpr (kPowers) {
                if (n % 2 == 0)
                    decay = odd = n == 0 ? q : S::mul(odd, q2);
                else
                    decay = even = n == 1 ? q2 : S::mul(even, q2);
            } else {
                decay = S::exp2(S::mul(delta, S::loadu(in.a2 + n * S::kWidth)));
            }
            h[n] = S::fma(decay, h[n], S::mul(du, S::set1(Bt[n])));
            if constexpr (kKeep) {
                states[(t - t0) * N + n] = h[n];
                decays[(t - t0) * N + n] = decay;
            }
            acc[n & 3] = S::fma(S::set1(Ct[n]), h[n], acc[n & 3]);
        }
        if (y) {
            V out = S::fma(in.D, u, S::add(S::add(acc[0], acc[1]), S::add(acc[2], acc[3])));
            if (in.z)
                out = S::mul(out, lane_silu<S>(lane_load(in, in.z + row)));
            lane_store(in, y + row, out);
        }
    }
}

// The inputs of channels d0 … d0 + count − 1 of batch row b; a2 (N, W) is filled here.
template <class S>
LaneInputs<S> lane_inputs(const SelectiveScanArgs<float>& a, std::int64_t b, std::int64_t d0,
                          int count, float* a2) {
    constexpr int W = S::kWidth;
    const SelectiveScanShape& s = a.shape;
    const std::int64_t N = s.state, E = s.channels, L = s.length;
    const std::int64_t g = d0 / (E / s.groups);
    for (std::int64_t n = 0; n < N; ++n)
        for (int k = 0; k < W; ++k)
            a2[n * W + k] = k < count ? a.A[(d0 + k) * N + n] * 1.44269504f : 0.0f;
    LaneInputs<S> in;
    const std::int64_t seq = b * L * E + d0;
    const std::int64_t bc = (b * L * s.groups + g) * N;
    in.u = a.u + seq;
    in.dt = a.delta + seq;
    in.z = a.z ? a.z + seq : nullptr;
    in.B = a.B + bc;
    in.C = a.C + bc;
    in.E = E;
    in.GN = s.groups * N;
    in.m = S::mask(count);
    in.whole = count == W;
    float lane_D[W] = {}, lane_bias[W] = {};
    for (int k = 0; k < count; ++k) {
        lane_D[k] = a.D ? a.D[d0 + k] : 0.0f;
        lane_bias[k] = a.delta_bias ? a.delta_bias[d0 + k] : 0.0f;
    }
    in.D = S::load(lane_D, S::mask(W));
    in.bias = S::load(lane_bias, S::mask(W));
    in.softplus = a.delta_softplus;
    in.a2 = a2;
    in.harmonic = harmonic_rows(a.A + d0 * N, count, N);
    if (in.harmonic && N == 16)  // the blocks lane_scan_any_n scans with the powers
        __atomic_fetch_add(&g_selective_scan_power_blocks, 1, __ATOMIC_RELAXED);
    return in;
}

// lane_scan from and back into h (N vectors), with the states in registers and, for a harmonic
// block, the decays as powers where N = 16. The forward's and the backward's one dispatch.
template <class S, bool kKeep>
inline void lane_scan_any_n(const LaneInputs<S>& in, std::int64_t t0, std::int64_t t1,
                            std::int64_t N, typename S::V* h, float* y, typename S::V* states,
                            typename S::V* decays) {
    if (N == 16) {
        typename S::V r[16];
        for (int n = 0; n < 16; ++n)
            r[n] = h[n];
        if (in.harmonic)
            lane_scan<S, 16, kKeep, true>(in, t0, t1, N, r, y, states, decays);
        else
            lane_scan<S, 16, kKeep>(in, t0, t1, N, r, y, states, decays);
        for (int n = 0; n < 16; ++n)
            h[n] = r[n];
    } else {
        lane_scan<S, 0, kKeep>(in, t0, t1, N, h, y, states, decays);
    }
}

// The block job of selective_scan_isa.hpp for lane type S.
template <class S>
void scan_lanes(const SelectiveScanLanesJob& job) {
    using V = typename S::V;
    constexpr int W = S::kWidth;
    const SelectiveScanArgs<float>& a = *job.args;
    const SelectiveScanShape& s = a.shape;
    const std::int64_t N = s.state, E = s.channels, L = s.length;
    const int count = static_cast<int>(job.count);
    float* a2 = job.scratch;  // (N, W)
    V* hmem = reinterpret_cast<V*>(job.scratch + N * W);
    const LaneInputs<S> in = lane_inputs<S>(a, job.b, job.d0, count, a2);

    // States in and out: (count, N) in the caller's layout, transposed to (N, W) here.
    float* hf = reinterpret_cast<float*>(hmem);
    for (std::int64_t n = 0; n < N; ++n)
        for (int k = 0; k < W; ++k)
            hf[n * W + k] = (job.state_in && k < count) ? job.state_in[k * N + n] : 0.0f;
    float* y = job.y ? job.y + job.b * L * E + job.d0 : nullptr;
    lane_scan_any_n<S, false>(in, 0, L, N, hmem, y, nullptr, nullptr);
    if (job.state_out)
        for (int k = 0; k < count; ++k)
            for (std::int64_t n = 0; n < N; ++n)
                job.state_out[k * N + n] = hf[n * W + k];
}

}  // namespace
}  // namespace ssmscope::kernels
