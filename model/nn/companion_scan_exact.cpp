#include "model/nn/companion_scan_exact.hpp"

#include <torch/torch.h>

#include "kernels/cpu/companion_scan.hpp"
#include "model/nn/scan_backend.hpp"

namespace ssmscope::model {

namespace {

template <class T>
torch::Tensor run(const CompanionScan& s, const torch::Tensor& coeffs, const torch::Tensor& delta,
                  const torch::Tensor& x, const torch::Tensor& sel, std::int64_t groups,
                  bool& served) {
    kernels::CompanionScanArgs<T> a;
    a.shape = {x.size(0), x.size(1), x.size(2), x.size(3), coeffs.size(1), groups};
    a.observable = s.form == CompanionForm::Observable;
    a.coeffs = coeffs.data_ptr<T>();
    a.delta = delta.data_ptr<T>();
    a.x = x.data_ptr<T>();
    a.sel = sel.data_ptr<T>();
    served = kernels::companion_scan_max_norm(a) <= kernels::kCompanionScanMaxSubsteps;
    if (!served)
        return {};
    torch::Tensor y = torch::empty_like(x);
    kernels::companion_scan_forward(a, y.data_ptr<T>());
    return y;
}

}  // namespace

std::optional<torch::Tensor> companion_scan_exact(const CompanionScan& s) {
    const auto type = s.x.scalar_type();
    const bool wants_grad =
        torch::GradMode::is_enabled() && (s.coeffs.requires_grad() || s.delta.requires_grad() ||
                                          s.x.requires_grad() || s.sel.requires_grad());
    if (wants_grad || scan_backend() != ScanBackend::Kernels ||
        (type != torch::kFloat32 && type != torch::kFloat64) || !s.x.is_cpu() || s.x.dim() != 4 ||
        s.sel.dim() != 4) {
        return std::nullopt;
    }
    torch::NoGradGuard no_grad;
    const torch::Tensor coeffs = s.coeffs.to(type).contiguous();
    const torch::Tensor delta = s.delta.to(type).contiguous(), x = s.x.contiguous();
    // SC-Mamba's C_t is one vector for every channel, expanded: read it once, as one group.
    const bool shared = s.sel.size(2) == 1 || s.sel.stride(2) == 0;
    const torch::Tensor sel = (shared ? s.sel.narrow(2, 0, 1) : s.sel).to(type).contiguous();
    const std::int64_t groups = shared ? 1 : s.sel.size(2);
    bool served = false;
    torch::Tensor y = type == torch::kFloat64
                          ? run<double>(s, coeffs, delta, x, sel, groups, served)
                          : run<float>(s, coeffs, delta, x, sel, groups, served);
    if (!served)
        return std::nullopt;
    return y;
}

}  // namespace ssmscope::model
