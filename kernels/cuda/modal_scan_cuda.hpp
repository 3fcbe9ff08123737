// The complex-diagonal (modal) scan of SC-, SO-Mamba and ST-Mamba-2 on an NVIDIA GPU: the same
// computation, arguments and layouts as kernels/modal_scan.hpp, with every pointer a device
// pointer. Work goes to the default stream; the forward returns once it is queued, the backward
// waits (it frees its workspace). Errors are thrown as std::invalid_argument (bad arguments) or
// std::runtime_error (CUDA). args.threads is ignored.
//
// Limits: N ≤ 256 modes (each channel's modes live in the registers of up to 32 lanes, 8 per
// lane). A selective g or o has its gradient summed over the channels of a unit with atomic
// additions where a unit's channels span several blocks (P > 128 / lanes_for(N)), so its last
// bits may then differ from run to run; every other gradient is summed in a fixed order.
#pragma once

#include "kernels/modal_scan.hpp"

namespace ssmscope::kernels::cuda {

// y: (batch, L, U, P); last_re, last_im: (batch, U, P, N) or null (both or neither). Device
// pointers.
template <class T>
void modal_scan_forward(const ModalScanArgs<T>& args, T* y, T* last_re, T* last_im);

// As kernels::modal_scan_backward, device pointers. Workspace (allocated and freed here), with
// K = args.checkpoint_every and tiles = ceil(P / CH) blocks per unit (CH channels per block,
// 128 / lanes_for(N) at most): 2·batch·U·P·N·(ceil(L/K) + K) values for the states, plus
// tiles·batch·U·(L + 6·N) partial sums.
template <class T>
void modal_scan_backward(const ModalScanArgs<T>& args, const T* dy, const T* dlast_re,
                         const T* dlast_im, const ModalScanGrads<T>& grads);

}  // namespace ssmscope::kernels::cuda
