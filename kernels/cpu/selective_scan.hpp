// Mamba-1's selective scan on raw CPU pointers: the entry points of the CPU backend for the
// contract of kernels/selective_scan.hpp (shapes, arguments, math).
#pragma once

#include <cstdint>

#include "kernels/selective_scan.hpp"

namespace ssmscope::kernels {

// Forward from a zero state. y: (batch, L, E); last_state: (batch, E, N) or null.
template <class T>
void selective_scan_forward(const SelectiveScanArgs<T>& args, T* y, T* last_state);

// Continues the scan from `state` (batch, E, N) for args.shape.length steps (1 for generation:
// u, delta, z are then (batch, E) and B, C (batch, G, N)) and leaves the final state in it.
// y: (batch, L, E).
template <class T>
void selective_scan_step(const SelectiveScanArgs<T>& args, T* state, T* y);

// Blocks of channels the float lane kernels have scanned since the program started with the
// decays of a step as powers of one exp, which they do where A is harmonic (S4D-real, see
// harmonic_spectrum.hpp) and N = 16: lets a test know that path ran.
std::int64_t selective_scan_power_blocks();

// dy: (batch, L, E); dlast_state: (batch, E, N), the gradient reaching the last state, or null.
//
// Memory: the states are not stored by the forward. Channels are taken 16 at a time; each is
// scanned once keeping its state every K = checkpoint_every steps (ceil(L/K)·N values), then the
// chunks are walked backwards, recomputing the K states and decays of each (2·K·N values), so the
// extra memory per thread is 16·(ceil(L/K) + 2K)·N values instead of L·N per channel. The sums
// over channels (dB, dC within a group; dA, dD, ddelta_bias over the batch) go through partial
// buffers of batch·G·min(E/G, 8)·L·N·2 + batch·E·(N + 2) values, added in a fixed order, so the
// result is the same for any thread count. Cost: about two forward passes plus the backward
// recurrence.
template <class T>
void selective_scan_backward(const SelectiveScanArgs<T>& args, const T* dy, const T* dlast_state,
                             const SelectiveScanGrads<T>& grads);

}  // namespace ssmscope::kernels
