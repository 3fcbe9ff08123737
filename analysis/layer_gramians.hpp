// Gramians and Hankel singular values of a selective layer's frozen-time systems (A, b_t, c_t),
// continuous time, summarised per layer. A dense A (companion forms) needs two Lyapunov solutions
// (SLICOT SB03OD), about 25 us at N = 16; a diagonal or scalar A has them in closed form
// (diagonal_gram, gram.hpp), O(N^2). A 130M Mamba has 9.4 million (unit, token) pairs per
// 256-token probe, so they are computed on a deterministic, evenly spread sample of pairs (all of
// them when the layer has few), and the report says how many.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/selective_layer.hpp"

namespace ssmscope::analysis {

struct GramianSample {
    Index unit = 0, token = 0;
    std::optional<Vector> hsv;  // descending; nullopt when A is not stable
};

struct LayerGramians {
    Index sampled = 0;
    Index defined = 0;             // samples whose A is stable, so both Gramians exist
    std::string undefined_reason;  // of the first undefined sample
    double tol = 0;                // relative: the order counts σ_i > tol σ_1
    double hsv_max_min = 0, hsv_max_median = 0, hsv_max_max = 0;  // of the largest HSV
    int order_min = 0, order_median = 0, order_max = 0;           // HSVs above the tolerance
    std::vector<GramianSample> samples;
};

LayerGramians layer_gramians(const SelectiveLayer& layer, Index max_samples,
                             std::optional<double> tol = {});

}  // namespace ssmscope::analysis
