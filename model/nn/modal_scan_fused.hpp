// The modal (complex-diagonal) scan of the companion-form models through kernels/ as an autograd
// function: z_t = e^{Δλ} z_{t−1} + (e^{Δλ} − 1)/λ · g_t x_t, y_t = Re(o_t · z_t) per unit, mode
// and channel, with the states recomputed in chunks in the backward.
#pragma once

#include <torch/types.h>

namespace ssmscope::model {

// True when the kernel can run on these tensors (float or double, kernels selected; CPU, or CUDA
// when the CUDA kernels were built).
bool fused_modal_scan_supported(const torch::Tensor& x);

// x: (batch, length, U, P) real; delta: (batch, length, U) real, Δ > 0; lambda: (U, N) complex;
// g, o: complex, each either (U, N) (fixed) or (batch, length, U, N) (selective). Complex inputs
// enter through their real and imaginary parts, so gradients reach them through autograd.
// Returns y: (batch, length, U, P), the dtype of x.
torch::Tensor modal_scan_fused(const torch::Tensor& x, const torch::Tensor& delta,
                               const torch::Tensor& lambda, const torch::Tensor& g,
                               const torch::Tensor& o);

}  // namespace ssmscope::model
