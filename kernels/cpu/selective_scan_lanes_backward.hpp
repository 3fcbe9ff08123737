// The backward of the Mamba-1 scan with one channel per SIMD lane, for float: the same
// chunked recomputation and formulas as selective_scan_backward.cpp (see there), with the W
// channels of a block differentiated together. Included only by the per-instruction-set
// translation units, after simd_avx512.hpp or simd_avx2.hpp; internal linkage as
// selective_scan_lanes.hpp.
//
// Everything per channel (du, dΔ, dz, dA, dD, dΔ bias) is lane-parallel; only dB and dC, sums
// over the channels of a group, need the lanes added up: once per step and state.
#pragma once

#include <cstdint>

#include "kernels/cpu/selective_scan_isa.hpp"
#include "kernels/cpu/selective_scan_lanes.hpp"

namespace ssmscope::kernels {
namespace {

template <class S>
inline typename S::V lane_sigmoid(typename S::V x) {
    return S::div(S::set1(1.0f), S::add(S::set1(1.0f), S::exp(S::sub(S::zero(), x))));
}

// The recomputed chunk [t0, t1) walked backwards. carry: g_t (N, W) on entry for t = t1 − 1, on
// exit for t0 − 1; gA: (N, W) accumulating dA; An: (N, W) A itself; accD, accBias: per lane.
template <class S>
inline void lane_backward_chunk(const LaneInputs<S>& in, const SelectiveScanLanesBackwardJob& job,
                                std::int64_t t0, std::int64_t t1, std::int64_t N,
                                const typename S::V* checkpoint, const typename S::V* states,
                                const typename S::V* decays, const typename S::V* An,
                                typename S::V* carry, typename S::V* gA, typename S::V& accD,
                                typename S::V& accBias) {
    using V = typename S::V;
    const SelectiveScanArgs<float>& a = *job.args;
    const SelectiveScanGrads<float>& grads = *job.grads;
    const std::int64_t E = in.E, L = a.shape.length;
    const std::int64_t seq = job.b * L * E + job.d0;
    // The recomputation has just read u, Δ, z of the chunk; dy and the gradient rows are new, a
    // line per row: prefetch them (the gradients for writing) as lane_scan does.
    constexpr std::int64_t kAhead = 8;
    for (std::int64_t t = t1 - 1; t >= t0; --t) {
        const std::int64_t i = t - t0, row = t * E;
        if (t - kAhead >= t0) {
            const std::int64_t ahead = seq + row - kAhead * E;
            S::prefetch(job.dy + ahead);
            __builtin_prefetch(grads.du + ahead, 1);
            __builtin_prefetch(grads.ddelta + ahead, 1);
            if (grads.dz)
                __builtin_prefetch(grads.dz + ahead, 1);
        }
        const V* ht = states + i * N;
        const V* prev = i > 0 ? states + (i - 1) * N : checkpoint;
        const V* et = decays + i * N;
        const float* Bt = in.B + t * in.GN;
        const float* Ct = in.C + t * in.GN;
        const V u = lane_load(in, in.u + row);
        const V dt_in = S::add(lane_load(in, in.dt + row), in.bias);
        const V delta = in.softplus ? lane_softplus<S>(dt_in) : dt_in;
        const V dyv = lane_load(in, job.dy + seq + row);

        V dyraw = dyv;
        if (in.z) {
            V yraw = S::mul(in.D, u);
            for (std::int64_t n = 0; n < N; ++n)
                yraw = S::fma(S::set1(Ct[n]), ht[n], yraw);
            const V zv = lane_load(in, in.z + row);
            const V sig = lane_sigmoid<S>(zv);
            if (grads.dz) {
                // SiLU'(z) = σ(z)·(1 + z·(1 − σ(z))).
                const V sg = S::mul(sig, S::fma(zv, S::sub(S::set1(1.0f), sig), S::set1(1.0f)));
                lane_store(in, grads.dz + seq + row, S::mul(S::mul(dyv, yraw), sg));
            }
            dyraw = S::mul(dyv, S::mul(zv, sig));
        }
        accD = S::fma(dyraw, u, accD);

        const V du_in = S::mul(delta, u);
        V ddelta = S::zero(), gB = S::zero();
        float* dBt = job.pdB + t * N;
        float* dCt = job.pdC + t * N;
        for (std::int64_t n = 0; n < N; ++n) {
            const V Bn = S::set1(Bt[n]);
            const V gn = S::fma(S::set1(Ct[n]), dyraw, carry[n]);
            dCt[n] += S::sum(S::mul(dyraw, ht[n]));
            const V he = S::mul(prev[n], et[n]);
            ddelta = S::fma(gn, S::fma(he, An[n], S::mul(Bn, u)), ddelta);
            gA[n] = S::fma(S::mul(gn, he), delta, gA[n]);
            dBt[n] += S::sum(S::mul(gn, du_in));
            gB = S::fma(gn, Bn, gB);
            carry[n] = S::mul(gn, et[n]);
        }
        lane_store(in, grads.du + seq + row, S::fma(in.D, dyraw, S::mul(delta, gB)));
        // softplus'(x) = σ(x), 1 above the threshold where softplus returns x.
        const V ddt = in.softplus
                          ? S::mul(ddelta, S::select_gt(dt_in, S::set1(20.0f), S::set1(1.0f),
                                                        lane_sigmoid<S>(dt_in)))
                          : ddelta;
        lane_store(in, grads.ddelta + seq + row, ddt);
        accBias = S::add(accBias, ddt);
    }
}

template <class S>
void scan_lanes_backward(const SelectiveScanLanesBackwardJob& job) {
    using V = typename S::V;
    constexpr int W = S::kWidth;
    const SelectiveScanArgs<float>& a = *job.args;
    const SelectiveScanShape& s = a.shape;
    const std::int64_t N = s.state, E = s.channels, L = s.length;
    const std::int64_t K = a.checkpoint_every < L ? a.checkpoint_every : (L > 0 ? L : 1);
    const std::int64_t chunks = (L + K - 1) / K;
    const int count = static_cast<int>(job.count);

    // Scratch, in vectors of W floats: a2, A, carry, dA, h (N each), checkpoints (chunks·N),
    // states and decays (K·N each).
    V* base = reinterpret_cast<V*>(job.scratch);
    float* a2 = job.scratch;
    V* An = base + N;
    V* carry = base + 2 * N;
    V* gA = base + 3 * N;
    V* h = base + 4 * N;
    V* checkpoints = base + 5 * N;
    V* states = checkpoints + chunks * N;
    V* decays = states + K * N;
    const LaneInputs<S> in = lane_inputs<S>(a, job.b, job.d0, count, a2);
    float* Af = reinterpret_cast<float*>(An);
    float* cf = reinterpret_cast<float*>(carry);
    for (std::int64_t n = 0; n < N; ++n) {
        for (int k = 0; k < W; ++k) {
            const bool on = k < count;
            Af[n * W + k] = on ? a.A[(job.d0 + k) * N + n] : 0.0f;
            cf[n * W + k] =
                on && job.dlast_state ? job.dlast_state[(job.b * E + job.d0 + k) * N + n] : 0.0f;
        }
        gA[n] = S::zero();
    }

    // Pass 1: the state at the start of every chunk (the same lane_scan as the forward's).
    for (std::int64_t n = 0; n < N; ++n)
        checkpoints[n] = S::zero();
    for (std::int64_t ci = 0; ci + 1 < chunks; ++ci) {
        V* next = checkpoints + (ci + 1) * N;
        for (std::int64_t n = 0; n < N; ++n)
            next[n] = checkpoints[ci * N + n];
        lane_scan_any_n<S, false>(in, ci * K, (ci + 1) * K, N, next, nullptr, nullptr, nullptr);
    }
    // Pass 2: chunks in reverse, states recomputed from their checkpoint.
    V accD = S::zero(), accBias = S::zero();
    for (std::int64_t ci = chunks - 1; ci >= 0; --ci) {
        const std::int64_t t0 = ci * K, t1 = t0 + K < L ? t0 + K : L;
        for (std::int64_t n = 0; n < N; ++n)
            h[n] = checkpoints[ci * N + n];
        lane_scan_any_n<S, true>(in, t0, t1, N, h, nullptr, states, decays);
        lane_backward_chunk<S>(in, job, t0, t1, N, checkpoints + ci * N, states, decays, An, carry,
                               gA, accD, accBias);
    }

    float lane[W];
    for (std::int64_t n = 0; n < N; ++n) {
        S::store(lane, gA[n], S::mask(W));
        for (int k = 0; k < count; ++k)
            job.part_dA[k * N + n] = lane[k];
    }
    S::store(lane, accD, S::mask(W));
    for (int k = 0; k < count; ++k)
        job.part_dD[k] = lane[k];
    S::store(lane, accBias, S::mask(W));
    for (int k = 0; k < count; ++k)
        job.part_dbias[k] = lane[k];
}

}  // namespace
}  // namespace ssmscope::kernels
