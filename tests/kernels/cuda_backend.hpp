// The CUDA kernels as a backend of the conformance table: each op's Kernels<T> on host pointers,
// every call copying its inputs to the device, running the kernel of kernels/cuda/ and copying
// its outputs back. The output buffers are copied in first, so the NaN the runner fills them
// with shows up wherever a kernel fails to write. Where the CUDA runtime sees no device, the
// program prints "skipped: no CUDA device" and exits with 77, which ctest reports as skipped.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <vector>

#include <cuda_runtime.h>

#include "kernels/cuda/modal_scan_cuda.hpp"
#include "kernels/cuda/selective_scan_cuda.hpp"
#include "kernels/cuda/ssd_scan_cuda.hpp"
#include "tests/kernels/ops_modal_scan.hpp"
#include "tests/kernels/ops_selective_scan.hpp"
#include "tests/kernels/ops_ssd_scan.hpp"

namespace ssmscope::test {

// A global fixture: exits with 77 where the CUDA runtime sees no device.
struct SkipWithoutDevice {
    SkipWithoutDevice() {
        if (!kernels::cuda::device_available()) {
            std::puts("skipped: no CUDA device");
            std::fflush(stdout);
            std::_Exit(77);
        }
    }
};

// The device copies of one call's arrays, freed on destruction.
template <class T>
class DeviceArena {
  public:
    DeviceArena() = default;
    DeviceArena(const DeviceArena&) = delete;
    DeviceArena& operator=(const DeviceArena&) = delete;
    ~DeviceArena() {
        for (const Copy& c : copies_)
            cudaFree(c.device);
    }
    // A device copy of n values at `host`; null stays null.
    const T* in(const T* host, std::int64_t n) { return copy(const_cast<T*>(host), n, false); }
    // Likewise, and copied back to `host` by finish().
    T* out(T* host, std::int64_t n) { return copy(host, n, true); }
    void finish() {
        for (const Copy& c : copies_)
            if (c.back &&
                cudaMemcpy(c.host, c.device, c.bytes, cudaMemcpyDeviceToHost) != cudaSuccess)
                throw std::runtime_error("cudaMemcpy to the host");
    }

  private:
    struct Copy {
        T* host;
        T* device;
        std::size_t bytes;
        bool back;
    };
    T* copy(T* host, std::int64_t n, bool back) {
        if (!host || n <= 0)
            return nullptr;
        Copy c{host, nullptr, static_cast<std::size_t>(n) * sizeof(T), back};
        if (cudaMalloc(&c.device, c.bytes) != cudaSuccess)
            throw std::runtime_error("cudaMalloc");
        copies_.push_back(c);
        if (cudaMemcpy(c.device, host, c.bytes, cudaMemcpyHostToDevice) != cudaSuccess)
            throw std::runtime_error("cudaMemcpy to the device");
        return c.device;
    }
    std::vector<Copy> copies_;
};

template <class T>
struct SelectiveScanOnDevice {
    using Args = kernels::SelectiveScanArgs<T>;
    static Args args(const Args& h, DeviceArena<T>& d) {
        const kernels::SelectiveScanShape& s = h.shape;
        const std::int64_t seq = s.batch * s.length * s.channels;
        const std::int64_t bc = s.batch * s.length * s.groups * s.state;
        Args a = h;
        a.u = d.in(h.u, seq);
        a.delta = d.in(h.delta, seq);
        a.A = d.in(h.A, s.channels * s.state);
        a.B = d.in(h.B, bc);
        a.C = d.in(h.C, bc);
        a.D = d.in(h.D, s.channels);
        a.z = d.in(h.z, seq);
        a.delta_bias = d.in(h.delta_bias, s.channels);
        return a;
    }
    static void forward(const Args& h, T* y, T* last) {
        const kernels::SelectiveScanShape& s = h.shape;
        DeviceArena<T> d;
        const Args a = args(h, d);
        kernels::cuda::selective_scan_forward(a, d.out(y, s.batch * s.length * s.channels),
                                              d.out(last, s.batch * s.channels * s.state));
        d.finish();
    }
    static void backward(const Args& h, const T* dy, const T* dlast,
                         const kernels::SelectiveScanGrads<T>& g) {
        const kernels::SelectiveScanShape& s = h.shape;
        const std::int64_t seq = s.batch * s.length * s.channels;
        const std::int64_t bc = s.batch * s.length * s.groups * s.state;
        DeviceArena<T> d;
        const Args a = args(h, d);
        const kernels::SelectiveScanGrads<T> dg{d.out(g.du, seq),
                                                d.out(g.ddelta, seq),
                                                d.out(g.dA, s.channels * s.state),
                                                d.out(g.dB, bc),
                                                d.out(g.dC, bc),
                                                d.out(g.dD, s.channels),
                                                d.out(g.dz, seq),
                                                d.out(g.ddelta_bias, s.channels)};
        kernels::cuda::selective_scan_backward(a, d.in(dy, seq),
                                               d.in(dlast, s.batch * s.channels * s.state), dg);
        d.finish();
    }
};

template <class T>
struct SsdScanOnDevice {
    using Args = kernels::SsdScanArgs<T>;
    static Args args(const Args& h, DeviceArena<T>& d) {
        const kernels::SsdScanShape& s = h.shape;
        const std::int64_t seq = s.batch * s.length * s.heads;
        const std::int64_t bc = s.batch * s.length * s.groups * s.state;
        Args a = h;
        a.x = d.in(h.x, seq * s.head_dim);
        a.delta = d.in(h.delta, seq);
        a.A = d.in(h.A, s.heads);
        a.B = d.in(h.B, bc);
        a.C = d.in(h.C, bc);
        a.D = d.in(h.D, s.heads);
        a.delta_bias = d.in(h.delta_bias, s.heads);
        return a;
    }
    static std::int64_t state(const kernels::SsdScanShape& s) {
        return s.batch * s.heads * s.head_dim * s.state;
    }
    static void forward(const Args& h, T* y, T* last) {
        const kernels::SsdScanShape& s = h.shape;
        DeviceArena<T> d;
        const Args a = args(h, d);
        kernels::cuda::ssd_scan_forward(a, d.out(y, s.batch * s.length * s.heads * s.head_dim),
                                        d.out(last, state(s)));
        d.finish();
    }
    static void backward(const Args& h, const T* dy, const T* dlast,
                         const kernels::SsdScanGrads<T>& g) {
        const kernels::SsdScanShape& s = h.shape;
        const std::int64_t seq = s.batch * s.length * s.heads;
        const std::int64_t bc = s.batch * s.length * s.groups * s.state;
        DeviceArena<T> d;
        const Args a = args(h, d);
        const kernels::SsdScanGrads<T> dg{d.out(g.dx, seq * s.head_dim),
                                          d.out(g.ddelta, seq),
                                          d.out(g.dA, s.heads),
                                          d.out(g.dB, bc),
                                          d.out(g.dC, bc),
                                          d.out(g.dD, s.heads),
                                          d.out(g.ddelta_bias, s.heads)};
        kernels::cuda::ssd_scan_backward(a, d.in(dy, seq * s.head_dim), d.in(dlast, state(s)), dg);
        d.finish();
    }
};

template <class T>
struct ModalScanOnDevice {
    using Args = kernels::ModalScanArgs<T>;
    static Args args(const Args& h, DeviceArena<T>& d) {
        const kernels::ModalScanShape& s = h.shape;
        const std::int64_t seq = s.batch * s.length * s.units, UN = s.units * s.modes;
        const std::int64_t g = h.g_selective ? seq * s.modes : UN;
        const std::int64_t o = h.o_selective ? seq * s.modes : UN;
        Args a = h;
        a.x = d.in(h.x, seq * s.channels);
        a.delta = d.in(h.delta, seq);
        a.lambda_re = d.in(h.lambda_re, UN);
        a.lambda_im = d.in(h.lambda_im, UN);
        a.g_re = d.in(h.g_re, g);
        a.g_im = d.in(h.g_im, g);
        a.o_re = d.in(h.o_re, o);
        a.o_im = d.in(h.o_im, o);
        return a;
    }
    static std::int64_t state(const kernels::ModalScanShape& s) {
        return s.batch * s.units * s.channels * s.modes;
    }
    static void forward(const Args& h, T* y, T* last_re, T* last_im) {
        const kernels::ModalScanShape& s = h.shape;
        DeviceArena<T> d;
        const Args a = args(h, d);
        kernels::cuda::modal_scan_forward(a, d.out(y, s.batch * s.length * s.units * s.channels),
                                          d.out(last_re, state(s)), d.out(last_im, state(s)));
        d.finish();
    }
    static void backward(const Args& h, const T* dy, const T* dlast_re, const T* dlast_im,
                         const kernels::ModalScanGrads<T>& g) {
        const kernels::ModalScanShape& s = h.shape;
        const std::int64_t seq = s.batch * s.length * s.units, UN = s.units * s.modes;
        const std::int64_t gn = h.g_selective ? seq * s.modes : UN;
        const std::int64_t on = h.o_selective ? seq * s.modes : UN;
        DeviceArena<T> d;
        const Args a = args(h, d);
        const kernels::ModalScanGrads<T> dg{d.out(g.dx, seq * s.channels),
                                            d.out(g.ddelta, seq),
                                            d.out(g.dlambda_re, UN),
                                            d.out(g.dlambda_im, UN),
                                            d.out(g.dg_re, gn),
                                            d.out(g.dg_im, gn),
                                            d.out(g.do_re, on),
                                            d.out(g.do_im, on)};
        kernels::cuda::modal_scan_backward(a, d.in(dy, seq * s.channels), d.in(dlast_re, state(s)),
                                           d.in(dlast_im, state(s)), dg);
        d.finish();
    }
};

// The CUDA backend of each op (there is no CUDA step kernel).
template <class Op, class T>
typename Op::template Kernels<T> cuda_kernels();
template <>
inline SelectiveScanOp::Kernels<double> cuda_kernels<SelectiveScanOp, double>() {
    return {&SelectiveScanOnDevice<double>::forward, nullptr,
            &SelectiveScanOnDevice<double>::backward};
}
template <>
inline SelectiveScanOp::Kernels<float> cuda_kernels<SelectiveScanOp, float>() {
    return {&SelectiveScanOnDevice<float>::forward, nullptr,
            &SelectiveScanOnDevice<float>::backward};
}
template <>
inline SsdScanOp::Kernels<double> cuda_kernels<SsdScanOp, double>() {
    return {&SsdScanOnDevice<double>::forward, nullptr, &SsdScanOnDevice<double>::backward};
}
template <>
inline SsdScanOp::Kernels<float> cuda_kernels<SsdScanOp, float>() {
    return {&SsdScanOnDevice<float>::forward, nullptr, &SsdScanOnDevice<float>::backward};
}
template <>
inline ModalScanOp::Kernels<double> cuda_kernels<ModalScanOp, double>() {
    return {&ModalScanOnDevice<double>::forward, nullptr, &ModalScanOnDevice<double>::backward};
}
template <>
inline ModalScanOp::Kernels<float> cuda_kernels<ModalScanOp, float>() {
    return {&ModalScanOnDevice<float>::forward, nullptr, &ModalScanOnDevice<float>::backward};
}

}  // namespace ssmscope::test
