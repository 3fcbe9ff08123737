// Backward of the fused selective scan on the GPU, the algorithm of the CPU backward (the
// formulas head the CPU backend's cpu/selective_scan_backward.cpp): one lane group per channel,
// states kept every K steps in a global workspace, each chunk's states recomputed into another,
// then the gradient recurrence walked backwards. dB and dC, summed over the channels of a group,
// are added atomically; dA, dD, ddelta_bias are written per (batch, channel) and summed over the
// batch by a second kernel in a fixed order.
#include <algorithm>

#include "kernels/cuda/scan_common.cuh"
#include "kernels/cuda/selective_scan_cuda.hpp"

namespace ssmscope::kernels::cuda {

namespace {

using detail::kMaxPerLane;

template <class T>
struct Workspace {
    T* checkpoints;  // (batch·E, chunks, N): the state at the start of each chunk
    T* states;       // (batch·E, K, N): the states of the chunk being differentiated
    T* part_dA;      // (batch, E, N)
    T* part_dD;      // (batch, E)
    T* part_dbias;   // (batch, E)
};

template <class T>
__global__ void backward_kernel(SelectiveScanArgs<T> a, int W, long long K, long long chunks,
                                const T* dy, const T* dlast_state, SelectiveScanGrads<T> gr,
                                Workspace<T> ws) {
    const long long B = a.shape.batch, L = a.shape.length, E = a.shape.channels, N = a.shape.state,
                    G = a.shape.groups;
    const long long group = (static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x) / W;
    const int lane = static_cast<int>(threadIdx.x % W);
    const bool active = group < B * E;  // inactive lanes still join every shuffle
    const long long b = active ? group / E : 0, d = active ? group % E : 0;
    const long long g = d / (E / G);
    const T D = (active && a.D) ? a.D[d] : T(0);
    const T bias = (active && a.delta_bias) ? a.delta_bias[d] : T(0);
    T* ck = ws.checkpoints + group * chunks * N;
    T* st = ws.states + group * K * N;

    T h[kMaxPerLane], A[kMaxPerLane], carry[kMaxPerLane], gA[kMaxPerLane];
#pragma unroll
    for (int j = 0; j < kMaxPerLane; ++j) {
        const long long n = lane + static_cast<long long>(j) * W;
        const bool own = active && n < N;
        h[j] = 0;
        A[j] = own ? a.A[d * N + n] : T(0);
        carry[j] = (own && dlast_state) ? dlast_state[group * N + n] : T(0);
        gA[j] = 0;
    }
    const auto step_delta = [&](long long t) {
        const T v = active ? a.delta[(b * L + t) * E + d] + bias : T(0);
        return a.delta_softplus ? detail::softplus(v) : v;
    };
    // One step of the forward recurrence on the registers h.
    const auto advance = [&](long long t) {
        const T u = active ? a.u[(b * L + t) * E + d] : T(0);
        const T delta = step_delta(t);
        const T* Bt = a.B + ((b * L + t) * G + g) * N;
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const long long n = lane + static_cast<long long>(j) * W;
            if (active && n < N)
                h[j] = detail::dexp(delta * A[j]) * h[j] + delta * u * Bt[n];
        }
    };
    const auto store = [&](T* to) {
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const long long n = lane + static_cast<long long>(j) * W;
            if (active && n < N)
                to[n] = h[j];
        }
    };

    // Pass 1: checkpoints.
    for (long long ci = 0; ci < chunks; ++ci) {
        store(ck + ci * N);
        if (ci + 1 < chunks) {
            for (long long t = ci * K; t < (ci + 1) * K; ++t)
                advance(t);
        }
    }
    // Pass 2: chunks in reverse.
    T acc_dD = 0, acc_dbias = 0;
    for (long long ci = chunks - 1; ci >= 0; --ci) {
        const long long t0 = ci * K, t1 = t0 + K < L ? t0 + K : L;
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const long long n = lane + static_cast<long long>(j) * W;
            h[j] = (active && n < N) ? ck[ci * N + n] : T(0);
        }
        for (long long t = t0; t < t1; ++t) {
            advance(t);
            store(st + (t - t0) * N);
        }
        for (long long t = t1 - 1; t >= t0; --t) {
            const long long i = t - t0;
            const long long at = (b * L + t) * E + d;
            const T* ht = st + i * N;
            const T* prev = i > 0 ? st + (i - 1) * N : ck + ci * N;
            const T* Bt = a.B + ((b * L + t) * G + g) * N;
            const T* Ct = a.C + ((b * L + t) * G + g) * N;
            const long long bc = ((b * L + t) * G + g) * N;
            const T u = active ? a.u[at] : T(0);
            const T dt_in = active ? a.delta[at] + bias : T(0);
            const T delta = a.delta_softplus ? detail::softplus(dt_in) : dt_in;
            const T dyv = active ? dy[at] : T(0);

            T dyraw = dyv;
            if (a.z) {
                T yraw = 0;
#pragma unroll
                for (int j = 0; j < kMaxPerLane; ++j) {
                    const long long n = lane + static_cast<long long>(j) * W;
                    if (active && n < N)
                        yraw += Ct[n] * ht[n];
                }
                yraw = detail::group_sum(yraw, W) + D * u;
                const T zv = active ? a.z[at] : T(0);
                const T s = detail::sigmoid(zv);
                if (active && lane == 0 && gr.dz)
                    gr.dz[at] = dyv * yraw * s * (T(1) + zv * (T(1) - s));
                dyraw = dyv * zv * s;
            }
            acc_dD += dyraw * u;

            T ddelta = 0, gB = 0;
#pragma unroll
            for (int j = 0; j < kMaxPerLane; ++j) {
                const long long n = lane + static_cast<long long>(j) * W;
                if (active && n < N) {
                    const T e = detail::dexp(delta * A[j]);
                    const T gn = carry[j] + Ct[n] * dyraw;
                    const T he = prev[n] * e;
                    if (gr.dC)
                        atomicAdd(gr.dC + bc + n, dyraw * ht[n]);
                    if (gr.dB)
                        atomicAdd(gr.dB + bc + n, gn * delta * u);
                    ddelta += gn * (he * A[j] + Bt[n] * u);
                    gA[j] += gn * he * delta;
                    gB += gn * Bt[n];
                    carry[j] = gn * e;
                }
            }
            ddelta = detail::group_sum(ddelta, W);
            gB = detail::group_sum(gB, W);
            const T ddt = a.delta_softplus ? ddelta * detail::softplus_grad(dt_in) : ddelta;
            if (active && lane == 0) {
                gr.du[at] = D * dyraw + delta * gB;
                gr.ddelta[at] = ddt;
            }
            acc_dbias += ddt;
        }
    }
    if (active) {
#pragma unroll
        for (int j = 0; j < kMaxPerLane; ++j) {
            const long long n = lane + static_cast<long long>(j) * W;
            if (n < N)
                ws.part_dA[group * N + n] = gA[j];
        }
        if (lane == 0) {
            ws.part_dD[group] = acc_dD;
            ws.part_dbias[group] = acc_dbias;
        }
    }
}

// dA[d, n] = Σ_b part_dA[b, d, n], and likewise dD, ddelta_bias: one thread per output.
template <class T>
__global__ void reduce_kernel(long long batch, long long E, long long N, Workspace<T> ws,
                              SelectiveScanGrads<T> gr) {
    const long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < E * N && gr.dA) {
        T sum = 0;
        for (long long b = 0; b < batch; ++b)
            sum += ws.part_dA[b * E * N + i];
        gr.dA[i] = sum;
    }
    if (i < E) {
        T sd = 0, sb = 0;
        for (long long b = 0; b < batch; ++b) {
            sd += ws.part_dD[b * E + i];
            sb += ws.part_dbias[b * E + i];
        }
        if (gr.dD)
            gr.dD[i] = sd;
        if (gr.ddelta_bias)
            gr.ddelta_bias[i] = sb;
    }
}

}  // namespace

template <class T>
void selective_scan_backward(const SelectiveScanArgs<T>& a, const T* dy, const T* dlast_state,
                             const SelectiveScanGrads<T>& grads) {
    const SelectiveScanShape& s = a.shape;
    if (s.state > 32 * kMaxPerLane)
        throw std::invalid_argument("cuda selective scan: N above 256 is not supported");
    if (s.groups < 1 || s.channels % s.groups != 0)
        throw std::invalid_argument("cuda selective scan: groups must divide channels");
    if (!dy || !grads.du || !grads.ddelta || a.checkpoint_every < 1)
        throw std::invalid_argument("cuda selective scan backward: bad arguments");
    const long long B = s.batch, L = s.length, E = s.channels, N = s.state;
    const long long K = std::min<long long>(a.checkpoint_every, std::max<long long>(L, 1));
    const long long chunks = (L + K - 1) / K;
    const std::size_t bc_bytes = static_cast<std::size_t>(B * L * s.groups * N) * sizeof(T);
    if (grads.dB)
        detail::check(cudaMemset(grads.dB, 0, bc_bytes), "cudaMemset dB");
    if (grads.dC)
        detail::check(cudaMemset(grads.dC, 0, bc_bytes), "cudaMemset dC");

    const long long values = B * E * N * (std::max<long long>(chunks, 1) + K + 1) + 2 * B * E;
    T* buffer = nullptr;
    detail::check(cudaMalloc(&buffer, static_cast<std::size_t>(values) * sizeof(T)),
                  "cudaMalloc workspace");
    Workspace<T> ws;
    ws.checkpoints = buffer;
    ws.states = ws.checkpoints + B * E * std::max<long long>(chunks, 1) * N;
    ws.part_dA = ws.states + B * E * K * N;
    ws.part_dD = ws.part_dA + B * E * N;
    ws.part_dbias = ws.part_dD + B * E;
    try {
        if (B > 0) {
            const int W = detail::lanes_for(N);
            const long long threads = B * E * W;
            const unsigned blocks = static_cast<unsigned>((threads + detail::kThreadsPerBlock - 1) /
                                                          detail::kThreadsPerBlock);
            backward_kernel<T>
                <<<blocks, detail::kThreadsPerBlock>>>(a, W, K, chunks, dy, dlast_state, grads, ws);
            detail::check(cudaGetLastError(), "selective_scan_backward");
        }
        const long long outputs = E * N;
        const unsigned blocks = static_cast<unsigned>((outputs + 255) / 256);
        reduce_kernel<T><<<blocks, 256>>>(B, E, N, ws, grads);
        detail::check(cudaGetLastError(), "selective_scan_backward reduce");
        detail::check(cudaDeviceSynchronize(), "selective_scan_backward");
    } catch (...) {
        cudaFree(buffer);
        throw;
    }
    detail::check(cudaFree(buffer), "cudaFree workspace");
}

template void selective_scan_backward<float>(const SelectiveScanArgs<float>&, const float*,
                                             const float*, const SelectiveScanGrads<float>&);
template void selective_scan_backward<double>(const SelectiveScanArgs<double>&, const double*,
                                              const double*, const SelectiveScanGrads<double>&);

}  // namespace ssmscope::kernels::cuda
