// The table's rows for Mamba-2's scalar-A heads (kernels/ssd_scan.hpp): its cases, its inputs,
// the naive loop as reference, and one call of each operation on any backend.
#pragma once

#include <string>
#include <vector>

#include "kernels/cpu/ssd_scan.hpp"
#include "kernels/ssd_scan.hpp"
#include "tests/kernels/backend_ops.hpp"
#include "tests/kernels/scan_calls.hpp"

namespace ssmscope::test {

struct SsdScanOp : ScanCalls<SsdScanOp, kernels::SsdScanArgs, kernels::SsdScanGrads, 1, 7> {
    static constexpr const char* kName = "ssd_scan";
    static constexpr bool kIsaPaths = false;

    // Relative tolerances against the references, double then float. Double: the kernels and
    // the naive loop differ by the order of sums only. Float: a few roundings per step, damped by
    // the decays; the gradients, summed over the sequence, the batch and the channels, a few more.
    static constexpr Tolerance kCpu[2] = {{1e-12, 1e-12}, {1e-5, 1e-5}};
    // CUDA against CPU in the same dtype: the order of sums and the last bits of exp.
    static constexpr Tolerance kCudaVsCpu[2] = {{1e-11, 1e-11}, {1e-5, 1e-5}};

    struct Config {
        std::int64_t batch, L, H, P, N, G, K;
        bool D, bias, softplus, dlast;
    };

    static std::vector<Config> cases() {
        return {
            // L = 1, N = 1, P = 1; L not a multiple of K; G = H; more heads per group than the
            // backward's partial-sum blocks (10 > 8); with and without D, bias, softplus.
            {1, 1, 1, 1, 1, 1, 4, true, true, true, true},
            {2, 7, 4, 3, 2, 2, 3, true, true, true, true},
            {2, 9, 3, 2, 1, 3, 4, false, false, false, true},
            {1, 12, 2, 4, 5, 1, 4, true, false, true, true},
            {1, 10, 10, 1, 3, 1, 3, true, true, true, true},
            // Longer sequences, N = 16 and 8, where float rounding adds up.
            {2, 40, 4, 8, 16, 2, 16, true, true, true, true},
            {3, 50, 12, 4, 8, 2, 16, true, true, true, true},
            // The CUDA block layout (kernels/cuda/channel_tiles.cuh): CH = 128 / lanes_for(N)
            // channels per block, tiles = ceil(P / CH):
            //   N = 128 (4 states per lane), P = 6: two tiles, the second half inactive; 2 heads
            //   per group;  N = 40 (2 states per lane, the second partial), P = 8: two full
            //   tiles, 3 heads in one group, no bias, no dlast;  N = 16, P = 16, G = H / 2: two
            //   tiles of 8 channels, no D, bias, softplus or dlast;  N = 256, the most the CUDA
            //   kernels take, K > L;  N = 5, G = H.
            {2, 37, 4, 6, 128, 2, 8, true, true, true, true},
            {2, 45, 3, 8, 40, 1, 10, true, false, true, false},
            {3, 30, 4, 16, 16, 2, 16, false, false, false, false},
            {1, 20, 2, 3, 256, 1, 64, true, true, true, true},
            {2, 33, 2, 5, 5, 2, 7, true, true, false, true},
        };
    }

    static std::vector<Rejection<Config>> rejections() {
        const Config c{2, 7, 4, 3, 2, 2, 3, true, true, true, true};
        Config groups = c, big{1, 4, 1, 1, 257, 1, 4, true, true, true, true};
        groups.G = 3;  // does not divide H = 4
        return {{"groups not dividing H", groups, "", Where::All},
                {"N above 256", big, "", Where::CudaOnly}};
    }

    static std::string label(const Config& c) {
        return std::string(kName) + " batch " + std::to_string(c.batch) + " L " +
               std::to_string(c.L) + " H " + std::to_string(c.H) + " P " + std::to_string(c.P) +
               " N " + std::to_string(c.N) + " G " + std::to_string(c.G) + " K " +
               std::to_string(c.K) + (c.D ? "" : " no D") + (c.bias ? "" : " no bias") +
               (c.softplus ? "" : " no softplus") + (c.dlast ? "" : " no dlast");
    }

    static std::int64_t work(const Config& c) { return c.batch * c.L * c.H * c.P * c.N; }
    static std::int64_t y_size(const Config& c) { return c.batch * c.L * c.H * c.P; }
    static std::vector<std::int64_t> state_sizes(const Config& c) {
        return {c.batch * c.H * c.P * c.N};
    }

    // x, delta, A, B, C, D, delta_bias: the order of SsdScanGrads.
    static std::vector<Input> inputs(const Config& c, std::uint64_t seed) {
        std::mt19937_64 rng(seed);
        const std::int64_t seq = c.batch * c.L * c.H, bc = c.batch * c.L * c.G * c.N;
        std::vector<Input> in(7);
        in[0] = {"x", uniform(rng, seq * c.P, -1, 1), true};
        in[1] = {"delta", c.softplus ? uniform(rng, seq, -3, 0) : uniform(rng, seq, 0.05, 0.6),
                 true};
        in[2] = {"A", uniform(rng, c.H, -3, -0.5), false};
        in[3] = {"B", uniform(rng, bc, -1, 1), true};
        in[4] = {"C", uniform(rng, bc, -1, 1), true};
        in[5] = {"D", c.D ? uniform(rng, c.H, -1, 1) : Vec{}, false};
        in[6] = {"delta_bias", c.bias ? uniform(rng, c.H, -0.1, 0.1) : Vec{}, false};
        return in;
    }

    static Arrays<double> naive(const Config& c, const std::vector<Input>& in) {
        Vec last;
        Vec y = naive_ssd_scan(c.batch, c.L, c.H, c.P, c.N, c.G, in[0].values, in[1].values,
                               in[2].values, in[3].values, in[4].values, in[5].values, in[6].values,
                               c.softplus, last);
        return {y, last};
    }

    template <class T>
    static Kernels<T> cpu() {
        return {&kernels::ssd_scan_forward<T>, &kernels::ssd_scan_step<T>,
                &kernels::ssd_scan_backward<T>};
    }

    template <class T>
    static kernels::SsdScanArgs<T> args(const Config& c, const Arrays<T>& in, int threads) {
        kernels::SsdScanArgs<T> a;
        a.shape = {c.batch, c.L, c.H, c.P, c.N, c.G};
        a.x = ptr(in[0]);
        a.delta = ptr(in[1]);
        a.A = ptr(in[2]);
        a.B = ptr(in[3]);
        a.C = ptr(in[4]);
        a.D = ptr(in[5]);
        a.delta_bias = ptr(in[6]);
        a.delta_softplus = c.softplus;
        a.threads = threads;
        a.checkpoint_every = c.K;
        return a;
    }
};

}  // namespace ssmscope::test
