#include "model/nn/selective_scan_fused.hpp"

#include "kernels/cpu/selective_scan.hpp"
#include "kernels/selective_scan.hpp"
#include "model/nn/kernel_function.hpp"
#include "model/nn/scan_backend.hpp"
#ifdef SSMSCOPE_CUDA_KERNELS
#include "kernels/cuda/selective_scan_cuda.hpp"
#endif

namespace ssmscope::model {

namespace {

struct SelectiveScanKernel {
    // in: u, delta, A, B, C, D, z.
    template <class T>
    static kernels::SelectiveScanArgs<T> args(const std::vector<torch::Tensor>& in) {
        kernels::SelectiveScanArgs<T> a;
        a.shape = {in[0].size(0), in[0].size(1), in[0].size(2), in[2].size(1), 1};
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
    static void forward(const std::vector<torch::Tensor>& in, torch::Tensor& y) {
#ifdef SSMSCOPE_CUDA_KERNELS
        if (y.is_cuda())
            return kernels::cuda::selective_scan_forward<T>(args<T>(in), y.data_ptr<T>(), nullptr);
#endif
        kernels::selective_scan_forward<T>(args<T>(in), y.data_ptr<T>(), nullptr);
    }

    template <class T>
    static void backward(const std::vector<torch::Tensor>& in, const torch::Tensor& dy,
                         std::vector<torch::Tensor>& g) {
        const kernels::SelectiveScanGrads<T> grads{
            g[0].data_ptr<T>(), g[1].data_ptr<T>(), g[2].data_ptr<T>(), g[3].data_ptr<T>(),
            g[4].data_ptr<T>(), g[5].data_ptr<T>(), g[6].data_ptr<T>(), nullptr};
#ifdef SSMSCOPE_CUDA_KERNELS
        if (dy.is_cuda())
            return kernels::cuda::selective_scan_backward<T>(args<T>(in), dy.data_ptr<T>(), nullptr,
                                                             grads);
#endif
        kernels::selective_scan_backward<T>(args<T>(in), dy.data_ptr<T>(), nullptr, grads);
    }
};

}  // namespace

bool fused_selective_scan_supported(const torch::Tensor& u) {
    return kernels_serve(u);
}

torch::Tensor selective_scan_fused(const torch::Tensor& u, const torch::Tensor& delta,
                                   const torch::Tensor& A, const torch::Tensor& B,
                                   const torch::Tensor& C, const torch::Tensor& D,
                                   const torch::Tensor& z) {
    return apply_kernel<SelectiveScanKernel>(u, delta, A, B, C, D, z);
}

}  // namespace ssmscope::model
