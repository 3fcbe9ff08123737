// The exact companion-form scan on raw CPU pointers (kernels/companion_scan.hpp: shapes, math).
#pragma once

#include "kernels/companion_scan.hpp"

namespace ssmscope::kernels {

// The largest Δ_t ||A_u||_1 over the batch, tokens and units: the substeps the worst step needs.
template <class T>
double companion_scan_max_norm(const CompanionScanArgs<T>& args);

// Forward from a zero state. y: (batch, L, U, P). Throws std::invalid_argument for shapes that do
// not fit or a step needing more than kCompanionScanMaxSubsteps substeps.
template <class T>
void companion_scan_forward(const CompanionScanArgs<T>& args, T* y);

// dy: (batch, L, U, P). Every gradient is required and overwritten. Memory: per (batch row,
// group) the states of a chunk of tokens (kernels/companion_scan.hpp: checkpoint_every).
template <class T>
void companion_scan_backward(const CompanionScanArgs<T>& args, const T* dy,
                             const CompanionScanGrads<T>& grads);

}  // namespace ssmscope::kernels
