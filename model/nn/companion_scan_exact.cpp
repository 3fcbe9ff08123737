#include "model/nn/companion_scan_exact.hpp"

#include <torch/torch.h>

#include "kernels/cpu/companion_scan.hpp"
#include "model/nn/kernel_function.hpp"

namespace ssmscope::model {

namespace {

// in: x (batch, L, U, P), delta (batch, L, U), coeffs (U, N), sel (batch, L, G, N).
template <bool Observable>
struct CompanionScanKernel {
    template <class T>
    static kernels::CompanionScanArgs<T> args(const std::vector<torch::Tensor>& in) {
        const torch::Tensor& x = in[0];
        kernels::CompanionScanArgs<T> a;
        a.shape = {x.size(0), x.size(1), x.size(2), x.size(3), in[2].size(1), in[3].size(2)};
        a.observable = Observable;
        a.x = in[0].data_ptr<T>();
        a.delta = in[1].data_ptr<T>();
        a.coeffs = in[2].data_ptr<T>();
        a.sel = in[3].data_ptr<T>();
        return a;
    }

    template <class T>
    static void forward(const std::vector<torch::Tensor>& in, torch::Tensor& y) {
        kernels::companion_scan_forward<T>(args<T>(in), y.data_ptr<T>());
    }

    template <class T>
    static void backward(const std::vector<torch::Tensor>& in, const torch::Tensor& dy,
                         std::vector<torch::Tensor>& g) {
        const kernels::CompanionScanGrads<T> grads{g[0].data_ptr<T>(), g[1].data_ptr<T>(),
                                                   g[2].data_ptr<T>(), g[3].data_ptr<T>()};
        kernels::companion_scan_backward<T>(args<T>(in), dy.data_ptr<T>(), grads);
    }
};

template <class T>
bool within_substeps(const std::vector<torch::Tensor>& in, bool observable) {
    const kernels::CompanionScanArgs<T> a = observable ? CompanionScanKernel<true>::args<T>(in)
                                                       : CompanionScanKernel<false>::args<T>(in);
    return kernels::companion_scan_max_norm(a) <= kernels::kCompanionScanMaxSubsteps;
}

}  // namespace

std::optional<torch::Tensor> companion_scan_exact(const CompanionScan& s) {
    if (scan_backend() != ScanBackend::Kernels || !kernel_io_dtype(s.x) || !s.x.is_cpu() ||
        s.x.dim() != 4 || s.sel.dim() != 4) {
        return std::nullopt;
    }
    // bf16 / fp16 (autocast) sequences are scanned in float32 and returned in their own dtype.
    const auto type = kernel_compute_type(s.x);
    const torch::Tensor x = s.x.to(type);
    const torch::Tensor coeffs = s.coeffs.to(type), delta = s.delta.to(type);
    // A vector expanded over the units is read once, as one group.
    const bool shared = s.sel.size(2) > 1 && s.sel.stride(2) == 0;
    const torch::Tensor sel = (shared ? s.sel.narrow(2, 0, 1) : s.sel).to(type);
    {
        torch::NoGradGuard no_grad;
        const std::vector<torch::Tensor> in = {x.contiguous(), delta.contiguous(),
                                               coeffs.contiguous(), sel.contiguous()};
        const bool obs = s.form == CompanionForm::Observable;
        const bool ok = type == torch::kFloat64 ? within_substeps<double>(in, obs)
                                                : within_substeps<float>(in, obs);
        if (!ok)
            return std::nullopt;
    }
    return s.form == CompanionForm::Observable
               ? apply_kernel<CompanionScanKernel<true>>(s.x, delta, coeffs, sel)
               : apply_kernel<CompanionScanKernel<false>>(s.x, delta, coeffs, sel);
}

}  // namespace ssmscope::model
