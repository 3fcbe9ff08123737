// The autograd function every kernel of kernels/ is wrapped in: the inputs are made contiguous
// and saved, the output has the shape and dtype of the first input, and the backward returns one
// gradient per input. `Kernel` supplies, for T = float and double,
//   static void forward<T>(const std::vector<torch::Tensor>& in, torch::Tensor& y);
//   static void backward<T>(const std::vector<torch::Tensor>& in, const torch::Tensor& dy,
//                           std::vector<torch::Tensor>& grads);  // grads preallocated like in
// Include only from .cpp files (it pulls in <torch/torch.h>).
#pragma once

#include <vector>

#include <torch/torch.h>

#include "model/nn/scan_backend.hpp"

namespace ssmscope::model {

template <class Kernel>
struct KernelFunction : torch::autograd::Function<KernelFunction<Kernel>> {
    template <class... Inputs>
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const Inputs&... inputs) {
        const std::vector<torch::Tensor> in{inputs.contiguous()...};
        torch::Tensor y = torch::empty_like(in[0]);
        if (y.scalar_type() == torch::kFloat64)
            Kernel::template forward<double>(in, y);
        else
            Kernel::template forward<float>(in, y);
        ctx->save_for_backward(in);
        return y;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list dy) {
        const auto in = ctx->get_saved_variables();
        std::vector<torch::Tensor> grads;
        for (const auto& t : in)
            grads.push_back(torch::empty_like(t));
        const torch::Tensor d = dy[0].contiguous();
        if (d.scalar_type() == torch::kFloat64)
            Kernel::template backward<double>(in, d, grads);
        else
            Kernel::template backward<float>(in, d, grads);
        return grads;
    }
};

// The dtypes the kernels are built for.
inline bool kernel_dtype(const torch::Tensor& t) {
    return t.scalar_type() == torch::kFloat32 || t.scalar_type() == torch::kFloat64;
}

// The dtypes a fused scan takes and returns: the kernels' own, and bf16 / fp16, the activations of
// a mixed-precision (autocast) forward, which run through the float32 kernels (state and
// accumulation in float32, as mixed-precision scans keep them).
inline bool kernel_io_dtype(const torch::Tensor& t) {
    return kernel_dtype(t) || t.scalar_type() == torch::kBFloat16 ||
           t.scalar_type() == torch::kFloat16;
}

// The dtype a kernel computes a sequence in `t` in: double for double, else float.
inline torch::ScalarType kernel_compute_type(const torch::Tensor& t) {
    return t.scalar_type() == torch::kFloat64 ? torch::kFloat64 : torch::kFloat32;
}

// Kernel applied to `first, rest...`, all in first's compute type, its output in first's dtype:
// under autocast a bf16 sequence goes in and a bf16 output comes out, the parameters (float32
// under autocast) are not rounded to bf16 on the way, and autograd converts the gradients back.
// Counts the call (kernel_calls).
template <class Kernel, class... Rest>
torch::Tensor apply_kernel(const torch::Tensor& first, const Rest&... rest) {
    const auto type = kernel_compute_type(first);
    count_kernel_call(!kernel_dtype(first));
    return KernelFunction<Kernel>::apply(first.to(type), rest.to(type)...).to(first.scalar_type());
}

// Whether the fused scan kernels serve a sequence in `t`: the kernel backend is selected, the
// dtype is one they take, and the tensor is on the CPU, or on a GPU where the CUDA kernels were
// built against a CUDA LibTorch (SSMSCOPE_CUDA_KERNELS, set for model/'s sources).
inline bool kernels_serve(const torch::Tensor& t) {
    if (scan_backend() != ScanBackend::Kernels || !kernel_io_dtype(t))
        return false;
#ifdef SSMSCOPE_CUDA_KERNELS
    if (t.is_cuda())
        return true;
#endif
    return t.is_cpu();
}

}  // namespace ssmscope::model
