// Lyapunov exponents of a selective layer's state recurrence h_t = Ā_t h_(t-1) + B̄_t u_t along the
// probe text, unit by unit (docs/numbers.md §6): λ_i = (1/T) log σ_i(Ā_T ... Ā_1), per token. For
// the diagonal forms (Mamba, Mamba-2) the closed form λ_i = a_i mean_t(Δ_t) is exact; companion
// forms go through the QR (Benettin) method, on runs of tokens at a time: a unit's Ā_t commute, so
// a run's product is one exponential of its summed steps (the same estimates as token by token).
//
// Beside the finite-horizon estimate, the exact limit: every Ā_t = exp(Δ_t A) of one unit commutes
// with the others, so Ā_T ... Ā_1 = exp((Σ Δ_t) A), and (1/T) log σ_i of it tends to
// mean(Δ) Re λ_i(A) as the horizon grows with the same mean step. A Hurwitz A therefore has
// negative limits even where a non-normal transient makes the probe's estimate positive.
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

    // The limits mean_t(Δ_t) Re λ_i(A), per unit, descending (equal to the estimates for the
    // diagonal forms, whose closed form is the limit).
    std::vector<Vector> unit_limits;
    double largest_limit = 0;
    Index largest_limit_unit = 0;
    double median_largest_limit = 0;
    // Units whose estimate is positive while the limit is not: growth that the probe saw and that
    // does not last.
    Index transient_units = 0;
};

LayerLyapunov layer_lyapunov(const SelectiveLayer& layer);

}  // namespace ssmscope::analysis
