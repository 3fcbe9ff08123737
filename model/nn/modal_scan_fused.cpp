#include "model/nn/modal_scan_fused.hpp"

#include "kernels/cpu/modal_scan.hpp"
#include "kernels/modal_scan.hpp"
#include "model/nn/kernel_function.hpp"
#include "model/nn/scan_backend.hpp"
#ifdef SSMSCOPE_CUDA_KERNELS
#include "kernels/cuda/modal_scan_cuda.hpp"
#endif

namespace ssmscope::model {

namespace {

struct ModalScanKernel {
    // in: x, delta, lambda_re, lambda_im, g_re, g_im, o_re, o_im; g and o are selective when
    // they have the 4 dimensions (batch, length, U, N).
    template <class T>
    static kernels::ModalScanArgs<T> args(const std::vector<torch::Tensor>& in) {
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
    static void forward(const std::vector<torch::Tensor>& in, torch::Tensor& y) {
#ifdef SSMSCOPE_CUDA_KERNELS
        if (y.is_cuda())
            return kernels::cuda::modal_scan_forward<T>(args<T>(in), y.data_ptr<T>(), nullptr,
                                                        nullptr);
#endif
        kernels::modal_scan_forward<T>(args<T>(in), y.data_ptr<T>(), nullptr, nullptr);
    }

    template <class T>
    static void backward(const std::vector<torch::Tensor>& in, const torch::Tensor& dy,
                         std::vector<torch::Tensor>& g) {
        const kernels::ModalScanGrads<T> grads{
            g[0].data_ptr<T>(), g[1].data_ptr<T>(), g[2].data_ptr<T>(), g[3].data_ptr<T>(),
            g[4].data_ptr<T>(), g[5].data_ptr<T>(), g[6].data_ptr<T>(), g[7].data_ptr<T>()};
#ifdef SSMSCOPE_CUDA_KERNELS
        if (dy.is_cuda())
            return kernels::cuda::modal_scan_backward<T>(args<T>(in), dy.data_ptr<T>(), nullptr,
                                                         nullptr, grads);
#endif
        kernels::modal_scan_backward<T>(args<T>(in), dy.data_ptr<T>(), nullptr, nullptr, grads);
    }
};

}  // namespace

bool fused_modal_scan_supported(const torch::Tensor& x) {
    return kernels_serve(x);
}

torch::Tensor modal_scan_fused(const torch::Tensor& x, const torch::Tensor& delta,
                               const torch::Tensor& lambda, const torch::Tensor& g,
                               const torch::Tensor& o) {
    return apply_kernel<ModalScanKernel>(x, delta, torch::real(lambda), torch::imag(lambda),
                                         torch::real(g), torch::imag(g), torch::real(o),
                                         torch::imag(o));
}

}  // namespace ssmscope::model
