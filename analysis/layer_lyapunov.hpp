// Lyapunov exponents of a selective layer's state recurrence h_t = Ā_t h_(t-1) + B̄_t u_t along the
// probe text, unit by unit (docs/numbers.md §6): λ_i = (1/T) log σ_i(Ā_T ... Ā_1), per token. For
// the diagonal forms (Mamba, Mamba-2) the closed form λ_i = a_i mean_t(Δ_t) is exact; companion
// forms go through the QR (Benettin) method, on runs of tokens at a time: a unit's Ā_t commute, so
// a run's product is one exponential of its summed steps (the same estimates as token by token).
#pragma once

#include <vector>

#include "analysis/selective_layer.hpp"

namespace ssmscope::analysis {

struct LayerLyapunov {
    const char* method = "";             // "closed-form-diagonal" or "qr"
    std::vector<Vector> unit_exponents;  // per unit, descending, per token
    double largest = 0;                  // over the units
    Index largest_unit = 0;
    double median_largest = 0;  // median over the units of their largest exponent
};

LayerLyapunov layer_lyapunov(const SelectiveLayer& layer);

}  // namespace ssmscope::analysis
