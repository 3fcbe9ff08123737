// The impulse response of a unit frozen at one token: the convolution kernel of the Sparse Mamba
// paper, K = (c_t B̄_t, c_t Ā_t B̄_t, c_t Ā_t² B̄_t, ...), with Ā_t = exp(Δ_t A) and B̄_t by the
// layer's rule. It is what a token seen k steps ago contributes to the output if the layer held
// this token's system, so its length is the unit's memory (docs/numbers.md §6(e)).
//
// The memory horizon is the smallest k after which |K_j| < tol max|K| for every j up to the end
// of the window, the window being four times the asymptotic estimate ln(1/tol) / (-log ρ(Ā)) (at
// least 64 tokens, at most max_window). It is undefined, with the reason, when ρ(Ā) >= 1 (the
// kernel does not decay) or when the kernel is still above the tolerance at the end of the window.
#pragma once

#include <optional>
#include <string>

#include "analysis/selective_layer.hpp"

namespace ssmscope::analysis {

struct ImpulseOptions {
    double tol = 1e-3;        // relative to the kernel's largest |K_k|
    Index max_window = 8192;  // tokens
    Index keep = 1024;        // kernel values kept in the result (the horizon is over the window)
};

struct ImpulseResponse {
    Index unit = 0, token = 0;
    double delta = 0;  // Δ_t
    // -log ρ(Ā_t) = -Δ_t max Re λ(A) per token: the slowest decay any kernel of this Ā can have
    // (faster when the slowest mode is uncontrollable or unobservable at this token).
    double decay_rate = 0;
    Vector kernel;  // K_0, K_1, ... (at most keep values)
    Index window = 0;
    std::optional<Index> horizon;
    std::string undefined_reason;
};

// Throws InputError for a unit or token outside the layer.
ImpulseResponse impulse_response(const SelectiveLayer& layer, Index unit, Index token,
                                 const ImpulseOptions& options = {});

}  // namespace ssmscope::analysis
