#include "model/nn/selective_step_fused.hpp"

#include <torch/torch.h>

#include "kernels/cpu/selective_scan.hpp"
#include "kernels/selective_scan.hpp"
#include "model/nn/kernel_function.hpp"
#include "model/nn/scan_backend.hpp"

namespace ssmscope::model {

namespace {

template <class T>
torch::Tensor step(const torch::Tensor& u, const torch::Tensor& delta, const torch::Tensor& A,
                   const torch::Tensor& B, const torch::Tensor& C, const torch::Tensor& D,
                   torch::Tensor& h) {
    const auto type = u.scalar_type();
    // The kernel reads dense row-major arrays; the slices of a split projection are not.
    const torch::Tensor uc = u.contiguous(), dc = delta.to(type).contiguous(),
                        Ac = A.to(type).contiguous(), Bc = B.to(type).contiguous(),
                        Cc = C.to(type).contiguous(), Dc = D.to(type).contiguous();
    if (!h.is_contiguous() || h.scalar_type() != type)
        h = h.to(type).contiguous();
    torch::Tensor y = torch::empty_like(uc);
    kernels::SelectiveScanArgs<T> a;
    a.shape = {u.size(0), 1, u.size(1), A.size(1), 1};
    a.u = uc.data_ptr<T>();
    a.delta = dc.data_ptr<T>();
    a.A = Ac.data_ptr<T>();
    a.B = Bc.data_ptr<T>();
    a.C = Cc.data_ptr<T>();
    a.D = Dc.data_ptr<T>();
    kernels::selective_scan_step<T>(a, h.data_ptr<T>(), y.data_ptr<T>());
    return y;
}

}  // namespace

bool fused_selective_step_supported(const torch::Tensor& u, const torch::Tensor& h) {
    if (scan_backend() != ScanBackend::Kernels || !kernel_dtype(u) || !u.is_cpu() || !h.is_cpu())
        return false;
    return !(torch::GradMode::is_enabled() && (u.requires_grad() || h.requires_grad()));
}

torch::Tensor selective_step_fused(const torch::Tensor& u, const torch::Tensor& delta,
                                   const torch::Tensor& A, const torch::Tensor& B,
                                   const torch::Tensor& C, const torch::Tensor& D,
                                   torch::Tensor& h) {
    const torch::NoGradGuard no_grad;
    return u.scalar_type() == torch::kDouble ? step<double>(u, delta, A, B, C, D, h)
                                             : step<float>(u, delta, A, B, C, D, h);
}

}  // namespace ssmscope::model
