// An independent forward pass of Mamba-1 (Falcon-Mamba) and Mamba-2 in double precision, written as
// plain loops from the reference implementation's equations (selective_scan_ref; Mamba2's recurrent
// form with grouped gated RMSNorm), sharing no code with model/. Weights come as a name → values
// map.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ssmscope::test {

struct NaiveTensor {
    std::vector<std::int64_t> shape;
    std::vector<double> v;
    double at(std::int64_t i) const { return v[static_cast<std::size_t>(i)]; }
};
using NaiveWeights = std::map<std::string, NaiveTensor>;

struct NaiveConfig {
    bool mamba2 = false;
    std::int64_t d_model = 0, n_layer = 0, vocab = 0, d_state = 0, d_conv = 0, d_inner = 0;
    std::int64_t dt_rank = 0;  // Mamba-1
    // Falcon-Mamba: the dt, B and C pieces of x_proj's output, each divided by its own RMS.
    bool falcon = false;
    double mixer_rms_eps = 1e-6;
    std::int64_t nheads = 0, headdim = 0, ngroups = 1;  // Mamba-2
    // Groups of the gated RMSNorm: ngroups, as mamba_ssm and transformers compute it (a test may
    // ask for 1, the whole inner size, to show that the grouping matters).
    std::int64_t norm_groups = 1;
    double eps = 1e-5;
    bool tied = true;
};

using NaiveMatrix = std::vector<std::vector<double>>;  // [token][column]

// What the loops computed on the way, for tests of model/probe.
struct NaiveTrace {
    struct Layer {
        NaiveMatrix delta;               // [token][channel or head]
        NaiveMatrix B, C;                // [token][group * N + n]
        std::vector<double> state_norm;  // [token]: ||the layer's whole state|| after the token
    };
    std::vector<Layer> layers;
    std::vector<NaiveMatrix> hidden;  // the residual stream entering each layer, and at the end
};

// logits[l][v] for the token sequence.
NaiveMatrix naive_logits(const NaiveConfig& c, const NaiveWeights& w,
                         const std::vector<std::int64_t>& tokens, NaiveTrace* trace = nullptr);

}  // namespace ssmscope::test
