#include "model/train/train_device.hpp"

#include <ATen/autocast_mode.h>
#include <torch/cuda.h>

#include "base/error.hpp"

namespace ssmscope::model {

torch::Device resolve_device(const std::string& name) {
    if (name == "cpu")
        return torch::kCPU;
    if (!torch::cuda::is_available()) {
        throw InputError(
            "--device cuda: no CUDA device is available to this LibTorch "
            "(torch::cuda::is_available() is false; a CPU-only build or no GPU); "
            "use --device cpu");
    }
    return torch::kCUDA;
}

bool bf16_autocast(const std::string& precision, const torch::Device& device) {
    return precision == "bf16" || (precision == "auto" && device.is_cuda());
}

Autocast::Autocast(const torch::Device& device, bool on) : on_(on), cuda_(device.is_cuda()) {
    if (!on_)
        return;
    if (cuda_) {
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
    } else {
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::set_cpu_enabled(true);
    }
}

Autocast::~Autocast() {
    if (!on_)
        return;
    if (cuda_)
        at::autocast::set_enabled(false);
    else
        at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();
}

}  // namespace ssmscope::model
