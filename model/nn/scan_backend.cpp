#include "model/nn/scan_backend.hpp"

#include <atomic>

namespace ssmscope::model {

namespace {
std::atomic<ScanBackend> g_backend{ScanBackend::Kernels};
std::atomic<std::int64_t> g_kernel_calls{0}, g_reduced_calls{0};
}  // namespace

void set_scan_backend(ScanBackend backend) {
    g_backend = backend;
}

ScanBackend scan_backend() {
    return g_backend;
}

KernelCalls kernel_calls() {
    return {g_kernel_calls, g_reduced_calls};
}

void count_kernel_call(bool reduced_precision) {
    ++g_kernel_calls;
    if (reduced_precision)
        ++g_reduced_calls;
}

}  // namespace ssmscope::model
