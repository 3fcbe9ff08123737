#include "model/nn/ssd_fused.hpp"

#include "kernels/cpu/ssd_scan.hpp"
#include "kernels/ssd_scan.hpp"
#include "model/nn/kernel_function.hpp"
#include "model/nn/scan_backend.hpp"
#ifdef SSMSCOPE_CUDA_KERNELS
#include "kernels/cuda/ssd_scan_cuda.hpp"
#endif

namespace ssmscope::model {

namespace {

struct SsdKernel {
    // in: x, delta, A, B, C.
    template <class T>
    static kernels::SsdScanArgs<T> args(const std::vector<torch::Tensor>& in) {
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
    static void forward(const std::vector<torch::Tensor>& in, torch::Tensor& y) {
#ifdef SSMSCOPE_CUDA_KERNELS
        if (y.is_cuda())
            return kernels::cuda::ssd_scan_forward<T>(args<T>(in), y.data_ptr<T>(), nullptr);
#endif
        kernels::ssd_scan_forward<T>(args<T>(in), y.data_ptr<T>(), nullptr);
    }

    template <class T>
    static void backward(const std::vector<torch::Tensor>& in, const torch::Tensor& dy,
                         std::vector<torch::Tensor>& g) {
        const kernels::SsdScanGrads<T> grads{g[0].data_ptr<T>(),
                                             g[1].data_ptr<T>(),
                                             g[2].data_ptr<T>(),
                                             g[3].data_ptr<T>(),
                                             g[4].data_ptr<T>(),
                                             nullptr,
                                             nullptr};
#ifdef SSMSCOPE_CUDA_KERNELS
        if (dy.is_cuda())
            return kernels::cuda::ssd_scan_backward<T>(args<T>(in), dy.data_ptr<T>(), nullptr,
                                                       grads);
#endif
        kernels::ssd_scan_backward<T>(args<T>(in), dy.data_ptr<T>(), nullptr, grads);
    }
};

}  // namespace

bool fused_ssd_supported(const torch::Tensor& x) {
    return kernels_serve(x);
}

torch::Tensor ssd_fused(const torch::Tensor& x, const torch::Tensor& delta, const torch::Tensor& A,
                        const torch::Tensor& B, const torch::Tensor& C) {
    return apply_kernel<SsdKernel>(x, delta, A, B, C);
}

}  // namespace ssmscope::model
