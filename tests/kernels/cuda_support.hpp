// What the tests of the CUDA kernels share: skipping where there is no device, and device copies
// of host vectors.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include <cuda_runtime.h>

#include "kernels/cuda/selective_scan_cuda.hpp"

namespace ssmscope::test {

// A global fixture: where the CUDA runtime sees no device, prints "skipped: no CUDA device" and
// exits with 77, which ctest reports as skipped (SKIP_RETURN_CODE in tests/kernels/CMakeLists.txt).
struct SkipWithoutDevice {
    SkipWithoutDevice() {
        if (!kernels::cuda::device_available()) {
            std::puts("skipped: no CUDA device");
            std::fflush(stdout);
            std::_Exit(77);
        }
    }
};

// A device copy of a host vector, freed on destruction.
template <class T>
class DeviceVector {
  public:
    explicit DeviceVector(const std::vector<T>& host) : size_(host.size()) {
        if (size_ == 0)
            return;
        if (cudaMalloc(&data_, size_ * sizeof(T)) != cudaSuccess)
            throw std::runtime_error("cudaMalloc");
        if (cudaMemcpy(data_, host.data(), size_ * sizeof(T), cudaMemcpyHostToDevice) !=
            cudaSuccess)
            throw std::runtime_error("cudaMemcpy");
    }
    DeviceVector(const DeviceVector&) = delete;
    DeviceVector& operator=(const DeviceVector&) = delete;
    ~DeviceVector() { cudaFree(data_); }
    T* get() const { return data_; }
    std::vector<T> host() const {
        std::vector<T> out(size_);
        if (size_ > 0 &&
            cudaMemcpy(out.data(), data_, size_ * sizeof(T), cudaMemcpyDeviceToHost) != cudaSuccess)
            throw std::runtime_error("cudaMemcpy");
        return out;
    }

  private:
    T* data_ = nullptr;
    std::size_t size_;
};

}  // namespace ssmscope::test
