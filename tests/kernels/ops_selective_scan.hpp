// The table's rows for Mamba-1's selective scan (kernels/selective_scan.hpp): its cases, its
// inputs, the naive loop as reference, and one call of each operation on any backend.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "kernels/cpu/selective_scan.hpp"
#include "kernels/selective_scan.hpp"
#include "tests/kernels/backend_ops.hpp"
#include "tests/kernels/scan_calls.hpp"

namespace ssmscope::test {

struct SelectiveScanOp
    : ScanCalls<SelectiveScanOp, kernels::SelectiveScanArgs, kernels::SelectiveScanGrads, 1, 8> {
    static constexpr const char* kName = "selective_scan";
    static constexpr bool kIsaPaths = true;  // the float forward and step run lanes per ISA

    // Relative tolerances against the references, double then float. Double: the kernels and
    // the naive loop differ by the order of sums only. Float: a few roundings per step, damped by
    // the decays; the gradients, summed over the sequence, the batch and the channels, a few more.
    static constexpr Tolerance kCpu[2] = {{1e-12, 1e-12}, {1e-5, 1e-5}};
    // CUDA against CPU in the same dtype: the order of sums and the last bits of exp.
    static constexpr Tolerance kCudaVsCpu[2] = {{1e-11, 1e-11}, {1e-5, 1e-5}};

    struct Config {
        std::int64_t batch, L, E, N, G, K;
        bool D, z, bias, softplus, dlast;
        bool wide = false;  // Δ from 0.018 to 1.3, A down to −3, z up to ±3 (the lanes' range)
        // A harmonic, A[d, n] = (n + 1)·A[d, 0] (harmonic_spectrum.hpp): the lanes' powers path.
        bool s4d = false;
    };

    static std::vector<Config> cases() {
        return {
            // L = 1 and N = 1; L not a multiple of the chunk K; several G; K > L; more channels
            // per group than the backward's partial-sum blocks (9 > 8), so blocks of unequal size;
            // with and without D, z, delta_bias, softplus.
            {1, 1, 1, 1, 1, 4, true, true, true, true, true},
            {2, 7, 4, 3, 2, 3, true, true, true, true, true},
            {2, 9, 6, 1, 3, 4, true, false, false, false, true},
            {1, 12, 4, 5, 1, 4, false, true, false, true, true},
            {3, 5, 8, 2, 4, 64, true, false, true, true, true},
            {1, 10, 9, 2, 1, 3, true, true, true, true, true},
            // Longer sequences, N = 16, where float rounding adds up.
            {2, 40, 8, 16, 2, 16, true, true, true, true, true},
            {3, 50, 24, 8, 2, 16, true, true, true, true, true},
            // The lanes of AVX2 (8) and AVX-512 (16): N = 16 (states in registers) and N = 5 (in
            // memory); E = 37, not a multiple of 8 or 16 (a partial last block); groups of 32
            // channels (whole blocks) and of 8 (whole AVX2 blocks, not AVX-512 ones: those fall
            // back to the scalar loop); 5 AVX-512 and 9 AVX2 blocks (unequal partial sums);
            // chunks of 7 steps; no gradient reaching the last state.
            {2, 33, 32, 16, 1, 7, true, true, true, true, true, true},
            {1, 20, 37, 5, 1, 7, true, true, true, true, true, true},
            {2, 17, 64, 16, 2, 7, true, true, true, true, true, true},
            {1, 9, 24, 3, 3, 7, true, true, true, true, true, true},
            {3, 1, 16, 16, 1, 7, true, true, true, true, true, true},
            {3, 40, 72, 16, 1, 16, true, true, true, true, false, true},
            {2, 12, 37, 16, 1, 7, true, true, true, true, true, true},
            // The S4D-real spectrum (decays as powers of one exp per step, N = 16 only): whole
            // blocks of both widths and a partial last one, 100 steps for the roundings of the
            // chains of powers to add up, two groups; and at N = 5, where the powers do not apply.
            {2, 100, 32, 16, 1, 16, true, true, true, true, true, true, true},
            {1, 60, 37, 16, 1, 7, true, true, true, true, true, true, true},
            {2, 30, 64, 16, 2, 7, true, true, true, true, false, true, true},
            {1, 20, 16, 5, 1, 7, true, true, true, true, true, true, true},
            // The CUDA lane groups: N = 1 (one lane per channel), 16 (half a warp), 40 (two states
            // per lane, a partial last one).
            {2, 37, 8, 1, 2, 8, true, true, true, true, true},
            {3, 70, 24, 16, 2, 16, true, true, true, true, true},
            {1, 1, 4, 16, 1, 4, false, false, false, false, true},
            {2, 45, 6, 40, 3, 10, true, false, true, true, true},
        };
    }

    static std::vector<Rejection<Config>> rejections() {
        const Config c{2, 7, 4, 3, 2, 3, true, true, true, true, true};
        Config groups = c, big = c;
        groups.G = 3;  // does not divide E = 4
        big.N = 257;
        return {{"groups not dividing E", groups, "", Where::All},
                {"B missing", c, "B", Where::CpuOnly},
                {"N above 256", big, "", Where::CudaOnly}};
    }

    static std::string label(const Config& c) {
        return std::string(kName) + " batch " + std::to_string(c.batch) + " L " +
               std::to_string(c.L) + " E " + std::to_string(c.E) + " N " + std::to_string(c.N) +
               " G " + std::to_string(c.G) + " K " + std::to_string(c.K) + (c.D ? "" : " no D") +
               (c.z ? "" : " no z") + (c.bias ? "" : " no bias") +
               (c.softplus ? "" : " no softplus") + (c.dlast ? "" : " no dlast") +
               (c.s4d ? " S4D-real A" : "");
    }

    static std::int64_t work(const Config& c) { return c.batch * c.L * c.E * c.N; }
    static std::int64_t y_size(const Config& c) { return c.batch * c.L * c.E; }
    static std::vector<std::int64_t> state_sizes(const Config& c) { return {c.batch * c.E * c.N}; }

    // u, delta, A, B, C, D, z, delta_bias: the order of SelectiveScanGrads.
    static std::vector<Input> inputs(const Config& c, std::uint64_t seed) {
        std::mt19937_64 rng(seed);
        const std::int64_t seq = c.batch * c.L * c.E, bc = c.batch * c.L * c.G * c.N;
        std::vector<Input> in(8);
        in[0] = {"u", uniform(rng, seq, -1, 1), true};
        // Δ in about (0.05, 0.7) either way (wide: 0.018 to 1.3); A stable, as trained models
        // have it.
        in[1] = {"delta",
                 c.wide       ? uniform(rng, seq, -4, 1)
                 : c.softplus ? uniform(rng, seq, -3, 0)
                              : uniform(rng, seq, 0.05, 0.6),
                 true};
        in[2] = {"A", uniform(rng, c.E * c.N, c.wide ? -3 : -2, c.wide ? -0.2 : -0.3), false};
        if (c.s4d) {
            // Even channels as mamba_ssm initialises them, A = −exp(log(n + 1)) in float (so
            // within an ulp of −(n + 1)); odd ones (n + 1)·A[d, 0] for a random A[d, 0] (so
            // down to −48 in the wide case).
            const Vec first = uniform(rng, c.E, -3, -0.2);
            for (std::int64_t d = 0; d < c.E; ++d)
                for (std::int64_t n = 0; n < c.N; ++n)
                    in[2].values[static_cast<std::size_t>(d * c.N + n)] =
                        d % 2 == 0
                            ? -static_cast<double>(std::exp(std::log(static_cast<float>(n + 1))))
                            : static_cast<double>(n + 1) * first[static_cast<std::size_t>(d)];
        }
        in[3] = {"B", uniform(rng, bc, -1, 1), true};
        in[4] = {"C", uniform(rng, bc, -1, 1), true};
        in[5] = {"D", c.D ? uniform(rng, c.E, -1, 1) : Vec{}, false};
        in[6] = {"z", c.z ? uniform(rng, seq, c.wide ? -3 : -2, c.wide ? 3 : 2) : Vec{}, true};
        in[7] = {"delta_bias",
                 c.bias ? uniform(rng, c.E, c.wide ? -0.2 : -0.1, c.wide ? 0.2 : 0.1) : Vec{},
                 false};
        return in;
    }

    static Arrays<double> naive(const Config& c, const std::vector<Input>& in) {
        Vec last;
        Vec y = naive_selective_scan(c.batch, c.L, c.E, c.N, c.G, in[0].values, in[1].values,
                                     in[2].values, in[3].values, in[4].values, in[5].values,
                                     in[6].values, in[7].values, c.softplus, last);
        return {y, last};
    }

    template <class T>
    static Kernels<T> cpu() {
        return {&kernels::selective_scan_forward<T>, &kernels::selective_scan_step<T>,
                &kernels::selective_scan_backward<T>};
    }

    template <class T>
    static kernels::SelectiveScanArgs<T> args(const Config& c, const Arrays<T>& in, int threads) {
        kernels::SelectiveScanArgs<T> a;
        a.shape = {c.batch, c.L, c.E, c.N, c.G};
        a.u = ptr(in[0]);
        a.delta = ptr(in[1]);
        a.A = ptr(in[2]);
        a.B = ptr(in[3]);
        a.C = ptr(in[4]);
        a.D = ptr(in[5]);
        a.z = ptr(in[6]);
        a.delta_bias = ptr(in[7]);
        a.delta_softplus = c.softplus;
        a.threads = threads;
        a.checkpoint_every = c.K;
        return a;
    }
};

}  // namespace ssmscope::test
