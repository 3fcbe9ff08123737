// Mamba-2's scalar-A heads on an NVIDIA GPU: the same computation, arguments and layouts as
// kernels/ssd_scan.hpp, with every pointer a device pointer. Work goes to the default
// stream; the forward returns once it is queued, the backward waits (it frees its workspace).
// Errors are thrown as std::invalid_argument (bad arguments) or std::runtime_error (CUDA).
// args.threads is ignored.
//
// Limits: N ≤ 256 (each channel's states live in the registers of up to 32 lanes, 8 per lane).
// dB and dC are summed over the channels and heads of a group with atomic additions, so, unlike
// the CPU kernels, their last bits may differ from run to run; every other gradient is summed in
// a fixed order.
#pragma once

#include "kernels/ssd_scan.hpp"

namespace ssmscope::kernels::cuda {

// y: (batch, L, H, P); last_state: (batch, H, P, N) or null. Device pointers.
template <class T>
void ssd_scan_forward(const SsdScanArgs<T>& args, T* y, T* last_state);

// As kernels::ssd_scan_backward, device pointers. Workspace (allocated and freed here), with
// K = args.checkpoint_every and tiles = ceil(P / CH) blocks per head (CH channels per block,
// 128 / lanes_for(N) at most): batch·H·P·N·(ceil(L/K) + K) values for the states, plus
// tiles·batch·(L·H + 3·H) partial sums.
template <class T>
void ssd_scan_backward(const SsdScanArgs<T>& args, const T* dy, const T* dlast_state,
                       const SsdScanGrads<T>& grads);

}  // namespace ssmscope::kernels::cuda
