// The modal scan on raw CPU pointers: the entry points of the CPU backend for the contract of
// kernels/modal_scan.hpp (shapes, arguments, math).
#pragma once

#include "kernels/modal_scan.hpp"

namespace ssmscope::kernels {

// Forward from a zero state. y: (batch, L, U, P); last_re, last_im: (batch, U, P, N) or null
// (both or neither).
template <class T>
void modal_scan_forward(const ModalScanArgs<T>& args, T* y, T* last_re, T* last_im);

// Continues from the state (state_re, state_im: (batch, U, P, N)) for args.shape.length steps
// (1 for generation: x (batch, U, P), delta (batch, U), selective g/o (batch, U, N)), leaving the
// final state in it. y: (batch, L, U, P).
template <class T>
void modal_scan_step(const ModalScanArgs<T>& args, T* state_re, T* state_im, T* y);

// dy: (batch, L, U, P); dlast_re, dlast_im: (batch, U, P, N), the gradient reaching the last
// state, or null.
//
// Memory: per unit the state is kept every K = checkpoint_every steps (ceil(L/K)·P·N complex
// values) and each chunk's K states recomputed (K·P·N complex), per thread; sums over the batch
// (dλ and a fixed g or o) go through batch·U·N·2 partials per array, added in a fixed order.
template <class T>
void modal_scan_backward(const ModalScanArgs<T>& args, const T* dy, const T* dlast_re,
                         const T* dlast_im, const ModalScanGrads<T>& grads);

}  // namespace ssmscope::kernels
