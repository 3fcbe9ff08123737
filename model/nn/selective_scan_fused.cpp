#include "model/nn/selective_scan_fused.hpp"

#include <torch/torch.h>

#include "kernels/cpu/selective_scan.hpp"
#include "model/nn/scan_backend.hpp"
#ifdef SSMSCOPE_CUDA_KERNELS
#include "kernels/cuda/selective_scan_cuda.hpp"
#endif

namespace ssmscope::model {

namespace {

template <class T>
kernels::SelectiveScanArgs<T> args_of(const std::vector<torch::Tensor>& in) {
    // in: u, delta, A, B, C, D, z, all contiguous and of type T.
    const torch::Tensor& u = in[0];
    kernels::SelectiveScanArgs<T> a;
    a.shape = {u.size(0), u.size(1), u.size(2), in[2].size(1), 1};
    a.u = in[0].data_ptr<T>();
    a.delta = in[1].data_ptr<T>();
    a.A = in[2].data_ptr<T>();
    a.B = in[3].data_ptr<T>();
    a.C = in[4].data_ptr<T>();
    a.D = in[5].data_ptr<T>();
    a.z = in[6].data_ptr<T>();
    return a;
}

template <class T>
void forward(const std::vector<torch::Tensor>& in, torch::Tensor& y) {
    const auto a = args_of<T>(in);
#ifdef SSMSCOPE_CUDA_KERNELS
    if (y.is_cuda())
        return kernels::cuda::selective_scan_forward<T>(a, y.data_ptr<T>(), nullptr);
#endif
    kernels::selective_scan_forward<T>(a, y.data_ptr<T>(), nullptr);
}

template <class T>
void backward(const std::vector<torch::Tensor>& in, const torch::Tensor& dy,
              std::vector<torch::Tensor>& g) {
    const auto a = args_of<T>(in);
    kernels::SelectiveScanGrads<T> grads;
    grads.du = g[0].data_ptr<T>();
    grads.ddelta = g[1].data_ptr<T>();
    grads.dA = g[2].data_ptr<T>();
    grads.dB = g[3].data_ptr<T>();
    grads.dC = g[4].data_ptr<T>();
    grads.dD = g[5].data_ptr<T>();
    grads.dz = g[6].data_ptr<T>();
#ifdef SSMSCOPE_CUDA_KERNELS
    if (dy.is_cuda())
        return kernels::cuda::selective_scan_backward<T>(a, dy.data_ptr<T>(), nullptr, grads);
#endif
    kernels::selective_scan_backward<T>(a, dy.data_ptr<T>(), nullptr, grads);
}

struct SelectiveScanFunction : torch::autograd::Function<SelectiveScanFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& u,
                                 const torch::Tensor& delta, const torch::Tensor& A,
                                 const torch::Tensor& B, const torch::Tensor& C,
                                 const torch::Tensor& D, const torch::Tensor& z) {
        std::vector<torch::Tensor> in;
        for (const torch::Tensor* t : {&u, &delta, &A, &B, &C, &D, &z})
            in.push_back(t->contiguous());
        torch::Tensor y = torch::empty_like(in[0]);
        if (y.scalar_type() == torch::kFloat64)
            model::forward<double>(in, y);
        else
            model::forward<float>(in, y);
        ctx->save_for_backward(in);
        return y;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list dy) {
        const auto in = ctx->get_saved_variables();
        std::vector<torch::Tensor> g;
        for (const auto& t : in)
            g.push_back(torch::empty_like(t));
        const torch::Tensor d = dy[0].contiguous();
        if (d.scalar_type() == torch::kFloat64)
            model::backward<double>(in, d, g);
        else
            model::backward<float>(in, d, g);
        return g;
    }
};

}  // namespace

bool fused_selective_scan_supported(const torch::Tensor& u) {
    if (scan_backend() != ScanBackend::Kernels)
        return false;
    if (u.scalar_type() != torch::kFloat32 && u.scalar_type() != torch::kFloat64)
        return false;
#ifdef SSMSCOPE_CUDA_KERNELS
    if (u.is_cuda())
        return true;
#endif
    return u.is_cpu();
}

torch::Tensor selective_scan_fused(const torch::Tensor& u, const torch::Tensor& delta,
                                   const torch::Tensor& A, const torch::Tensor& B,
                                   const torch::Tensor& C, const torch::Tensor& D,
                                   const torch::Tensor& z) {
    const auto type = u.scalar_type();
    return SelectiveScanFunction::apply(u, delta.to(type), A.to(type), B.to(type), C.to(type),
                                        D.to(type), z.to(type));
}

}  // namespace ssmscope::model
