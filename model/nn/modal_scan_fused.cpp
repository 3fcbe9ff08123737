#include "model/nn/modal_scan_fused.hpp"

#include <torch/torch.h>

#include "kernels/cpu/modal_scan.hpp"
#include "model/nn/scan_backend.hpp"

namespace ssmscope::model {

namespace {

// in: x, delta, lambda_re, lambda_im, g_re, g_im, o_re, o_im; contiguous, of type T.
template <class T>
kernels::ModalScanArgs<T> args_of(const std::vector<torch::Tensor>& in) {
    const torch::Tensor& x = in[0];
    kernels::ModalScanArgs<T> a;
    a.shape = {x.size(0), x.size(1), x.size(2), x.size(3), in[2].size(1)};
    a.x = in[0].data_ptr<T>();
    a.delta = in[1].data_ptr<T>();
    a.lambda_re = in[2].data_ptr<T>();
    a.lambda_im = in[3].data_ptr<T>();
    a.g_re = in[4].data_ptr<T>();
    a.g_im = in[5].data_ptr<T>();
    a.g_selective = in[4].dim() == 4;
    a.o_re = in[6].data_ptr<T>();
    a.o_im = in[7].data_ptr<T>();
    a.o_selective = in[6].dim() == 4;
    return a;
}

template <class T>
void backward(const std::vector<torch::Tensor>& in, const torch::Tensor& dy,
              std::vector<torch::Tensor>& g) {
    kernels::ModalScanGrads<T> grads;
    T** slots[] = {&grads.dx,    &grads.ddelta, &grads.dlambda_re, &grads.dlambda_im,
                   &grads.dg_re, &grads.dg_im,  &grads.do_re,      &grads.do_im};
    for (std::size_t i = 0; i < g.size(); ++i)
        *slots[i] = g[i].data_ptr<T>();
    kernels::modal_scan_backward<T>(args_of<T>(in), dy.data_ptr<T>(), nullptr, nullptr, grads);
}

struct ModalScanFunction : torch::autograd::Function<ModalScanFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& delta, const torch::Tensor& lambda_re,
                                 const torch::Tensor& lambda_im, const torch::Tensor& g_re,
                                 const torch::Tensor& g_im, const torch::Tensor& o_re,
                                 const torch::Tensor& o_im) {
        std::vector<torch::Tensor> in;
        for (const torch::Tensor* t :
             {&x, &delta, &lambda_re, &lambda_im, &g_re, &g_im, &o_re, &o_im})
            in.push_back(t->contiguous());
        torch::Tensor y = torch::empty_like(in[0]);
        if (y.scalar_type() == torch::kFloat64)
            kernels::modal_scan_forward<double>(args_of<double>(in), y.data_ptr<double>(), nullptr,
                                                nullptr);
        else
            kernels::modal_scan_forward<float>(args_of<float>(in), y.data_ptr<float>(), nullptr,
                                               nullptr);
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

bool fused_modal_scan_supported(const torch::Tensor& x) {
    return scan_backend() == ScanBackend::Kernels && x.is_cpu() &&
           (x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kFloat64);
}

torch::Tensor modal_scan_fused(const torch::Tensor& x, const torch::Tensor& delta,
                               const torch::Tensor& lambda, const torch::Tensor& g,
                               const torch::Tensor& o) {
    const auto type = x.scalar_type();
    const auto re = [&](const torch::Tensor& c) { return torch::real(c).to(type); };
    const auto im = [&](const torch::Tensor& c) { return torch::imag(c).to(type); };
    return ModalScanFunction::apply(x, delta.to(type), re(lambda), im(lambda), re(g), im(g), re(o),
                                    im(o));
}

}  // namespace ssmscope::model
