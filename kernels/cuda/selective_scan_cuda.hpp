// Mamba-1's fused selective scan on an NVIDIA GPU: the same computation, arguments and layouts as
// kernels/selective_scan.hpp, with every pointer a device pointer. Work goes to the default
// stream; the functions return once it is queued (the backward waits, as it frees its
// workspace). Errors are thrown as std::runtime_error. args.threads is ignored.
//
// Limits: N ≤ 256 (each channel's states live in the registers of up to 32 lanes, 8 per lane).
// dB and dC are summed over channels with atomic additions, so, unlike the CPU kernels, their
// last bits may differ from run to run; dA, dD and ddelta_bias are summed in a fixed order.
#pragma once

#include "kernels/selective_scan.hpp"

namespace ssmscope::kernels::cuda {

// True when the CUDA runtime reports at least one device.
bool device_available();

// y: (batch, L, E); last_state: (batch, E, N) or null. Device pointers.
template <class T>
void selective_scan_forward(const SelectiveScanArgs<T>& args, T* y, T* last_state);

// As kernels::selective_scan_backward, device pointers. Workspace (allocated and freed here):
// batch·E·N·(ceil(L/K) + K + 1) + 2·batch·E values, K = args.checkpoint_every.
template <class T>
void selective_scan_backward(const SelectiveScanArgs<T>& args, const T* dy, const T* dlast_state,
                             const SelectiveScanGrads<T>& grads);

}  // namespace ssmscope::kernels::cuda
