// The table's rows for the modal (complex-diagonal) scan (kernels/modal_scan.hpp): its cases, its
// inputs, the naive std::complex loop as reference, and one call of each operation on any
// backend. Complex inputs are two real inputs, so every gradient is checked real and imaginary
// parts apart.
#pragma once

#include <string>
#include <vector>

#include "kernels/cpu/modal_scan.hpp"
#include "kernels/modal_scan.hpp"
#include "tests/kernels/backend_ops.hpp"
#include "tests/kernels/scan_calls.hpp"

namespace ssmscope::test {

struct ModalScanOp : ScanCalls<ModalScanOp, kernels::ModalScanArgs, kernels::ModalScanGrads, 2, 8> {
    static constexpr const char* kName = "modal_scan";
    static constexpr bool kIsaPaths = false;

    // Relative tolerances against the references, double then float. Double: the kernels and
    // the naive loop differ by the order of sums only. Float: a few roundings per step, damped by
    // the decays; the gradients, summed over the sequence, the batch and the channels, a few more.
    static constexpr Tolerance kCpu[2] = {{1e-12, 1e-12}, {1e-5, 1e-5}};
    // CUDA against CPU in the same dtype: the order of sums and the last bits of exp, expm1, sin
    // and cos.
    static constexpr Tolerance kCudaVsCpu[2] = {{1e-11, 1e-11}, {1e-5, 1e-5}};

    struct Config {
        std::int64_t batch, L, U, P, N, K;
        bool g_selective, o_selective;
        bool zero_pole;  // λ[0, 0] = 0, where φ(Δ, λ) = Δ
        bool dlast;
    };

    static std::vector<Config> cases() {
        return {
            // The controllable form (g fixed, o selective: SC-Mamba), the observable one (g
            // selective, o fixed: SO-Mamba), P > 1 channels sharing the poles (ST-Mamba-2
            // heads), both selective; L = 1, N = 1, L not a multiple of K, K > L, a zero pole.
            {1, 1, 1, 1, 1, 4, false, true, false, true},
            {2, 7, 3, 1, 4, 3, false, true, true, true},
            {2, 9, 2, 1, 3, 4, true, false, false, true},
            {1, 12, 2, 4, 2, 4, false, true, false, true},
            {2, 6, 2, 3, 2, 64, true, true, false, true},
            // Longer sequences, where float rounding adds up.
            {2, 40, 3, 4, 8, 16, false, true, false, true},
            {3, 50, 6, 4, 8, 16, false, true, false, true},
            // The CUDA block layout (kernels/cuda/channel_tiles.cuh): CH = 128 / lanes_for(N)
            // channels per block, tiles = ceil(P / CH): controllable, N = 16, a zero pole;
            // observable, N = 40 (2 modes per lane, one partial); heads, P = 20, N = 16: three
            // tiles of 8 channels, the last half inactive, so a selective do is summed
            // atomically over tiles, no dlast; both selective, K > L; N = 256, the most the CUDA
            // kernels take, P = 3 with a fixed o.
            {2, 37, 5, 1, 16, 8, false, true, true, true},
            {2, 29, 4, 1, 40, 6, true, false, false, true},
            {2, 45, 3, 20, 16, 10, false, true, false, false},
            {1, 20, 2, 6, 8, 64, true, true, false, true},
            {1, 12, 2, 3, 256, 5, true, false, false, true},
        };
    }

    static std::vector<Rejection<Config>> rejections() {
        const Config c{2, 7, 3, 1, 4, 3, false, true, true, true};
        const Config big{1, 4, 1, 1, 257, 4, false, true, false, true};
        return {{"o_re missing", c, "o_re", Where::All}, {"N above 256", big, "", Where::CudaOnly}};
    }

    static std::string label(const Config& c) {
        return std::string(kName) + " batch " + std::to_string(c.batch) + " L " +
               std::to_string(c.L) + " U " + std::to_string(c.U) + " P " + std::to_string(c.P) +
               " N " + std::to_string(c.N) + " K " + std::to_string(c.K) +
               (c.g_selective ? " g selective" : " g fixed") +
               (c.o_selective ? " o selective" : " o fixed") + (c.zero_pole ? " zero pole" : "") +
               (c.dlast ? "" : " no dlast");
    }

    static std::int64_t work(const Config& c) { return 4 * c.batch * c.L * c.U * c.P * c.N; }
    static std::int64_t y_size(const Config& c) { return c.batch * c.L * c.U * c.P; }
    static std::vector<std::int64_t> state_sizes(const Config& c) {
        return {c.batch * c.U * c.P * c.N, c.batch * c.U * c.P * c.N};
    }

    // x, delta, λ re, λ im, g re, g im, o re, o im: the order of ModalScanGrads.
    static std::vector<Input> inputs(const Config& c, std::uint64_t seed) {
        std::mt19937_64 rng(seed);
        const std::int64_t seq = c.batch * c.L * c.U;
        const std::int64_t g = c.g_selective ? seq * c.N : c.U * c.N;
        const std::int64_t o = c.o_selective ? seq * c.N : c.U * c.N;
        std::vector<Input> in(8);
        in[0] = {"x", uniform(rng, seq * c.P, -1, 1), true};
        in[1] = {"delta", uniform(rng, seq, 0.05, 0.6), true};
        // Stable poles, some nearly real, some oscillating.
        in[2] = {"lambda_re", uniform(rng, c.U * c.N, -2, -0.1), false};
        in[3] = {"lambda_im", uniform(rng, c.U * c.N, -3, 3), false};
        if (c.zero_pole)
            in[2].values[0] = in[3].values[0] = 0;
        in[4] = {"g_re", uniform(rng, g, -1, 1), c.g_selective};
        in[5] = {"g_im", uniform(rng, g, -1, 1), c.g_selective};
        in[6] = {"o_re", uniform(rng, o, -1, 1), c.o_selective};
        in[7] = {"o_im", uniform(rng, o, -1, 1), c.o_selective};
        return in;
    }

    static Arrays<double> naive(const Config& c, const std::vector<Input>& in) {
        Vec last_re, last_im;
        Vec y =
            naive_modal_scan(c.batch, c.L, c.U, c.P, c.N, in[0].values, in[1].values, in[2].values,
                             in[3].values, in[4].values, in[5].values, c.g_selective, in[6].values,
                             in[7].values, c.o_selective, last_re, last_im);
        return {y, last_re, last_im};
    }

    template <class T>
    static Kernels<T> cpu() {
        return {&kernels::modal_scan_forward<T>, &kernels::modal_scan_step<T>,
                &kernels::modal_scan_backward<T>};
    }

    template <class T>
    static kernels::ModalScanArgs<T> args(const Config& c, const Arrays<T>& in, int threads) {
        kernels::ModalScanArgs<T> a;
        a.shape = {c.batch, c.L, c.U, c.P, c.N};
        a.x = ptr(in[0]);
        a.delta = ptr(in[1]);
        a.lambda_re = ptr(in[2]);
        a.lambda_im = ptr(in[3]);
        a.g_re = ptr(in[4]);
        a.g_im = ptr(in[5]);
        a.g_selective = c.g_selective;
        a.o_re = ptr(in[6]);
        a.o_im = ptr(in[7]);
        a.o_selective = c.o_selective;
        a.threads = threads;
        a.checkpoint_every = c.K;
        return a;
    }
};

}  // namespace ssmscope::test
