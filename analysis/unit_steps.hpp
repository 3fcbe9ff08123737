// The discrete steps of one unit of a selective layer along the probe text: Ā_t = exp(Δ_t A) and
// the matrix Γ_t with B̄_t = Γ_t b_t, either Δ_t I (Euler, the Mamba reference) or Δ_t φ1(Δ_t A)
// (exact zero-order hold), both read off one exponential of [[Δ A, Δ I], [0, 0]]. One dense
// exponential per token: the reference that the layer analyses, which use the commuting structure
// of a unit's steps instead (companion_exp.hpp), are tested against.
#pragma once

#include <vector>

#include "analysis/discretize.hpp"
#include "analysis/selective_layer.hpp"

namespace ssmscope::analysis {

// One ZohPair per token: Ad = Ā_t, Bd = Γ_t (N x N).
std::vector<ZohPair> unit_steps(const SelectiveLayer& layer, Index unit);

// Γ_t's scalar for a diagonal entry a: Δ (Euler) or (exp(Δ a) - 1) / a (exact ZOH, Δ at a = 0).
double input_gain(double a, double delta, bool exact_zoh);

}  // namespace ssmscope::analysis
