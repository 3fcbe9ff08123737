// One unit of a selective layer frozen at one probe token, as a control engineer inspects it:
// the continuous system (A, b_t, c_t) and its discretisation at that token's step Δ_t,
// (Ā_t, B̄_t, c_t) with Ā_t = exp(Δ_t A) and B̄_t by the layer's rule (Euler Δ_t b_t for Mamba,
// exact zero-order hold for the companion forms), each with its full LTI report: spectrum,
// ranks with the SVD and PBH evidence, Gramians and Hankel singular values where defined.
// The GUI's layer view shows these for the channel and token the user picks.
#pragma once

#include <optional>

#include "analysis/lti_report.hpp"
#include "analysis/selective_layer.hpp"

namespace ssmscope::analysis {

struct FrozenUnit {
    Index unit = 0, token = 0;
    double delta = 0;   // Δ_t
    StateSpace system;  // continuous (A, b_t, c_t')
    LtiReport continuous;
    // (Ā_t, B̄_t, c_t'), dt = Δ_t, and its report; empty and nullopt when Δ_t = 0 (no step is
    // taken, so there is no sampled system).
    StateSpace sampled;
    std::optional<LtiReport> discrete;
};

// Throws InputError for a unit or token outside the layer.
FrozenUnit frozen_unit(const SelectiveLayer& layer, Index unit, Index token,
                       std::optional<double> tol = {});

}  // namespace ssmscope::analysis
