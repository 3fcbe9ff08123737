// Mamba-2's scalar-A heads on raw CPU pointers: the entry points of the CPU backend for the
// contract of kernels/ssd_scan.hpp (shapes, arguments, math). The plain recurrent form:
// O(L·P·N) per head and bound by memory traffic, so the chunked matrix form buys nothing on a
// CPU.
#pragma once

#include "kernels/ssd_scan.hpp"

namespace ssmscope::kernels {

// Forward from a zero state. y: (batch, L, H, P); last_state: (batch, H, P, N) or null.
template <class T>
void ssd_scan_forward(const SsdScanArgs<T>& args, T* y, T* last_state);

// Continues from `state` (batch, H, P, N) for args.shape.length steps (1 for generation: x is
// then (batch, H, P), delta (batch, H), B, C (batch, G, N)); the final state is left in it.
// y: (batch, L, H, P).
template <class T>
void ssd_scan_step(const SsdScanArgs<T>& args, T* state, T* y);

// dy: (batch, L, H, P); dlast_state: (batch, H, P, N) or null.
//
// Memory: per head the state is kept every K = checkpoint_every steps (ceil(L/K)·P·N values) and
// each chunk's K states are recomputed (K·P·N values), per thread. dB and dC, summed over the
// heads and channels of a group, go through partial buffers of batch·G·min(H/G, 8)·L·N·2 values
// added in a fixed order (thread-count independent), and dA, dD, ddelta_bias through batch·H·3.
template <class T>
void ssd_scan_backward(const SsdScanArgs<T>& args, const T* dy, const T* dlast_state,
                       const SsdScanGrads<T>& grads);

}  // namespace ssmscope::kernels
