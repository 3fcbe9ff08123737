// The CUDA kernels of Mamba-2's scalar-A heads against the CPU ones (themselves checked against
// the naive loop and finite differences in test_ssd_scan.cpp): forward, last state and every
// gradient, float and double, on shapes that reach every part of the block layout of
// kernels/cuda/channel_tiles.cuh. Where the CUDA runtime sees no device, prints
// "skipped: no CUDA device" and exits with 77, which ctest reports as skipped.
#include <cmath>
#include <memory>
#include <string>

#include <boost/test/unit_test.hpp>

#include "kernels/cpu/ssd_scan.hpp"
#include "kernels/cuda/ssd_scan_cuda.hpp"
#include "tests/kernels/cuda_support.hpp"
#include "tests/kernels/naive.hpp"

using namespace ssmscope;
using namespace ssmscope::kernels;
using namespace ssmscope::test;

namespace {

struct Config {
    std::int64_t batch, L, H, P, N, G, K;
    bool D, bias, softplus, dlast;
};

// Channels per block CH = 128 / lanes_for(N) (at least one warp), tiles = ceil(P / CH):
//   N = 1, P = 1, L = 1: one lane per channel, 31 of the block's 32 channels inactive;
//   N = 128 (4 states per lane), P = 6: two tiles, the second half inactive; 2 heads per group;
//   N = 40 (2 states per lane, the second partial), P = 8: two full tiles; 3 heads, one group;
//   N = 16, P = 16, G = H / 2: two tiles of 8 channels; no D, bias, softplus or dlast;
//   N = 256, the most supported; K > L;  N = 5, G = H.
const Config kConfigs[] = {
    {1, 1, 1, 1, 1, 1, 4, true, true, true, true},
    {2, 37, 4, 6, 128, 2, 8, true, true, true, true},
    {2, 45, 3, 8, 40, 1, 10, true, false, true, false},
    {3, 30, 4, 16, 16, 2, 16, false, false, false, false},
    {1, 20, 2, 3, 256, 1, 64, true, true, true, true},
    {2, 33, 2, 5, 5, 2, 7, true, true, false, true},
};

std::string name(const Config& c) {
    return "batch " + std::to_string(c.batch) + " L " + std::to_string(c.L) + " H " +
           std::to_string(c.H) + " P " + std::to_string(c.P) + " N " + std::to_string(c.N) + " G " +
           std::to_string(c.G) + " K " + std::to_string(c.K);
}

template <class T>
void compare(const Config& c, double tol) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(c.L * 131 + c.N * 7 + c.P));
    const std::int64_t seq = c.batch * c.L * c.H, bc = c.batch * c.L * c.G * c.N;
    const std::int64_t state = c.batch * c.H * c.P * c.N;
    const std::vector<T> x = cast<T>(uniform(rng, seq * c.P, -1, 1));
    const std::vector<T> delta =
        cast<T>(c.softplus ? uniform(rng, seq, -3, 0) : uniform(rng, seq, 0.05, 0.6));
    const std::vector<T> A = cast<T>(uniform(rng, c.H, -3, -0.5));
    const std::vector<T> B = cast<T>(uniform(rng, bc, -1, 1)), C = cast<T>(uniform(rng, bc, -1, 1));
    const std::vector<T> D = c.D ? cast<T>(uniform(rng, c.H, -1, 1)) : std::vector<T>{};
    const std::vector<T> bias = c.bias ? cast<T>(uniform(rng, c.H, -0.1, 0.1)) : std::vector<T>{};
    const std::vector<T> dy = cast<T>(uniform(rng, seq * c.P, -1, 1));
    const std::vector<T> dlast = cast<T>(uniform(rng, state, -1, 1));

    SsdScanArgs<T> host;
    host.shape = {c.batch, c.L, c.H, c.P, c.N, c.G};
    host.x = x.data();
    host.delta = delta.data();
    host.A = A.data();
    host.B = B.data();
    host.C = C.data();
    host.D = c.D ? D.data() : nullptr;
    host.delta_bias = c.bias ? bias.data() : nullptr;
    host.delta_softplus = c.softplus;
    host.checkpoint_every = c.K;

    const DeviceVector<T> gx(x), gdelta(delta), gA(A), gB(B), gC(C), gD(D), gbias(bias), gdy(dy),
        gdlast(dlast);
    SsdScanArgs<T> dev = host;
    dev.x = gx.get();
    dev.delta = gdelta.get();
    dev.A = gA.get();
    dev.B = gB.get();
    dev.C = gC.get();
    dev.D = c.D ? gD.get() : nullptr;
    dev.delta_bias = c.bias ? gbias.get() : nullptr;

    // Forward.
    std::vector<T> y(x.size()), last(dlast.size());
    ssd_scan_forward(host, y.data(), last.data());
    const DeviceVector<T> gy(std::vector<T>(x.size())), glast(std::vector<T>(dlast.size()));
    cuda::ssd_scan_forward(dev, gy.get(), glast.get());
    BOOST_TEST(relative_error(cast<double>(gy.host()), cast<double>(y)) <= tol);
    BOOST_TEST(relative_error(cast<double>(glast.host()), cast<double>(last)) <= tol);

    // Backward: every gradient (dD, ddelta_bias only where D, delta_bias are given).
    std::vector<std::vector<T>> cpu = {std::vector<T>(x.size()),   std::vector<T>(delta.size()),
                                       std::vector<T>(A.size()),   std::vector<T>(B.size()),
                                       std::vector<T>(C.size()),   std::vector<T>(D.size()),
                                       std::vector<T>(bias.size())};
    const auto ptr = [](std::vector<T>& v) { return v.empty() ? nullptr : v.data(); };
    ssd_scan_backward(host, dy.data(), c.dlast ? dlast.data() : nullptr,
                      SsdScanGrads<T>{ptr(cpu[0]), ptr(cpu[1]), ptr(cpu[2]), ptr(cpu[3]),
                                      ptr(cpu[4]), ptr(cpu[5]), ptr(cpu[6])});
    // The device outputs start as NaN, so a value the kernel fails to write shows up.
    std::vector<std::unique_ptr<DeviceVector<T>>> gpu;
    for (const std::vector<T>& v : cpu)
        gpu.push_back(std::make_unique<DeviceVector<T>>(std::vector<T>(v.size(), T(NAN))));
    const auto dptr = [&](std::size_t k) { return cpu[k].empty() ? nullptr : gpu[k]->get(); };
    cuda::ssd_scan_backward(
        dev, gdy.get(), c.dlast ? gdlast.get() : nullptr,
        SsdScanGrads<T>{dptr(0), dptr(1), dptr(2), dptr(3), dptr(4), dptr(5), dptr(6)});
    const char* names[] = {"dx", "ddelta", "dA", "dB", "dC", "dD", "ddelta_bias"};
    for (std::size_t k = 0; k < cpu.size(); ++k) {
        BOOST_TEST_CONTEXT(names[k]) {
            BOOST_TEST(relative_error(cast<double>(gpu[k]->host()), cast<double>(cpu[k])) <= tol);
        }
    }
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(SkipWithoutDevice);

BOOST_AUTO_TEST_CASE(cuda_ssd_scan_matches_cpu_double) {
    // Both sides in double; they differ only by the order of sums and exp's last bit.
    for (const Config& c : kConfigs) {
        BOOST_TEST_CONTEXT(name(c)) {
            compare<double>(c, 1e-11);
        }
    }
}

BOOST_AUTO_TEST_CASE(cuda_ssd_scan_matches_cpu_float) {
    for (const Config& c : kConfigs) {
        BOOST_TEST_CONTEXT(name(c)) {
            compare<float>(c, 1e-5);
        }
    }
}

BOOST_AUTO_TEST_CASE(cuda_ssd_scan_rejects_more_than_256_states) {
    SsdScanArgs<float> a;
    a.shape = {1, 4, 1, 1, 257, 1};
    const DeviceVector<float> buffer(std::vector<float>(4 * 257));
    a.x = a.delta = a.A = a.B = a.C = buffer.get();
    BOOST_CHECK_THROW(cuda::ssd_scan_forward<float>(a, buffer.get(), nullptr),
                      std::invalid_argument);
}
