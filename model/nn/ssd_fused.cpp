#include "model/nn/ssd_fused.hpp"

#include <torch/torch.h>

#include "kernels/cpu/ssd_scan.hpp"
#include "model/nn/scan_backend.hpp"

namespace ssmscope::model {

namespace {

// in: x, delta, A, B, C, contiguous and of type T.
template <class T>
kernels::SsdScanArgs<T> args_of(const std::vector<torch::Tensor>& in) {
    const torch::Tensor& x = in[0];
    kernels::SsdScanArgs<T> a;
    a.shape = {x.size(0), x.size(1), x.size(2), x.size(3), in[3].size(3), in[3].size(2)};
    a.x = in[0].data_ptr<T>();
    a.delta = in[1].data_ptr<T>();
    a.A = in[2].data_ptr<T>();
    a.B = in[3].data_ptr<T>();
    a.C = in[4].data_ptr<T>();
    return a;
}

template <class T>
void backward(const std::vector<torch::Tensor>& in, const torch::Tensor& dy,
              std::vector<torch::Tensor>& g) {
    kernels::SsdScanGrads<T> grads;
    grads.dx = g[0].data_ptr<T>();
    grads.ddelta = g[1].data_ptr<T>();
    grads.dA = g[2].data_ptr<T>();
    grads.dB = g[3].data_ptr<T>();
    grads.dC = g[4].data_ptr<T>();
    kernels::ssd_scan_backward<T>(args_of<T>(in), dy.data_ptr<T>(), nullptr, grads);
}

struct SsdFunction : torch::autograd::Function<SsdFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& delta, const torch::Tensor& A,
                                 const torch::Tensor& B, const torch::Tensor& C) {
        std::vector<torch::Tensor> in;
        for (const torch::Tensor* t : {&x, &delta, &A, &B, &C})
            in.push_back(t->contiguous());
        torch::Tensor y = torch::empty_like(in[0]);
        if (y.scalar_type() == torch::kFloat64)
            kernels::ssd_scan_forward<double>(args_of<double>(in), y.data_ptr<double>(), nullptr);
        else
            kernels::ssd_scan_forward<float>(args_of<float>(in), y.data_ptr<float>(), nullptr);
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

bool fused_ssd_supported(const torch::Tensor& x) {
    return scan_backend() == ScanBackend::Kernels && x.is_cpu() &&
           (x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kFloat64);
}

torch::Tensor ssd_fused(const torch::Tensor& x, const torch::Tensor& delta, const torch::Tensor& A,
                        const torch::Tensor& B, const torch::Tensor& C) {
    const auto type = x.scalar_type();
    return SsdFunction::apply(x, delta.to(type), A.to(type), B.to(type), C.to(type));
}

}  // namespace ssmscope::model
