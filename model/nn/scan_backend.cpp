#include "model/nn/scan_backend.hpp"

#include <atomic>

namespace ssmscope::model {

namespace {
std::atomic<ScanBackend> g_backend{ScanBackend::Kernels};
}  // namespace

void set_scan_backend(ScanBackend backend) {
    g_backend = backend;
}

ScanBackend scan_backend() {
    return g_backend;
}

}  // namespace ssmscope::model
