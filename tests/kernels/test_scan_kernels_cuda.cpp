// The CUDA selective-scan kernels against the CPU ones (themselves checked against the naive
// loops and finite differences): forward, last state and every gradient, float and double.
// Where the CUDA runtime sees no device, prints "skipped: no CUDA device" and exits with 77,
// which ctest reports as skipped.
#include <memory>
#include <string>

#include <boost/test/unit_test.hpp>

#include "kernels/cpu/selective_scan.hpp"
#include "kernels/cuda/selective_scan_cuda.hpp"
#include "tests/kernels/cuda_support.hpp"
#include "tests/kernels/naive.hpp"

using namespace ssmscope;
using namespace ssmscope::kernels;
using namespace ssmscope::test;

namespace {

struct Config {
    std::int64_t batch, L, E, N, G, K;
    bool D, z, bias, softplus;
};

// N = 1 (one lane per channel), N = 16 (half a warp), N = 40 (two states per lane, a partial
// last one); L not a multiple of K; L = 1; groups.
const Config kConfigs[] = {
    {2, 37, 8, 1, 2, 8, true, true, true, true},
    {3, 70, 24, 16, 2, 16, true, true, true, true},
    {1, 1, 4, 16, 1, 4, false, false, false, false},
    {2, 45, 6, 40, 3, 10, true, false, true, true},
};

template <class T>
void compare(const Config& c, double tol) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(c.L * 131 + c.N));
    const std::int64_t seq = c.batch * c.L * c.E, bc = c.batch * c.L * c.G * c.N;
    const std::vector<T> u = cast<T>(uniform(rng, seq, -1, 1));
    const std::vector<T> delta =
        cast<T>(c.softplus ? uniform(rng, seq, -3, 0) : uniform(rng, seq, 0.05, 0.6));
    const std::vector<T> A = cast<T>(uniform(rng, c.E * c.N, -2, -0.3));
    const std::vector<T> B = cast<T>(uniform(rng, bc, -1, 1)), C = cast<T>(uniform(rng, bc, -1, 1));
    const std::vector<T> D = c.D ? cast<T>(uniform(rng, c.E, -1, 1)) : std::vector<T>{};
    const std::vector<T> z = c.z ? cast<T>(uniform(rng, seq, -2, 2)) : std::vector<T>{};
    const std::vector<T> bias = c.bias ? cast<T>(uniform(rng, c.E, -0.1, 0.1)) : std::vector<T>{};
    const std::vector<T> dy = cast<T>(uniform(rng, seq, -1, 1));
    const std::vector<T> dlast = cast<T>(uniform(rng, c.batch * c.E * c.N, -1, 1));

    SelectiveScanArgs<T> host;
    host.shape = {c.batch, c.L, c.E, c.N, c.G};
    host.u = u.data();
    host.delta = delta.data();
    host.A = A.data();
    host.B = B.data();
    host.C = C.data();
    host.D = c.D ? D.data() : nullptr;
    host.z = c.z ? z.data() : nullptr;
    host.delta_bias = c.bias ? bias.data() : nullptr;
    host.delta_softplus = c.softplus;
    host.checkpoint_every = c.K;

    const DeviceVector<T> du_(u), ddelta_(delta), dA_(A), dB_(B), dC_(C), dD_(D), dz_(z),
        dbias_(bias), ddy(dy), ddlast(dlast);
    SelectiveScanArgs<T> dev = host;
    dev.u = du_.get();
    dev.delta = ddelta_.get();
    dev.A = dA_.get();
    dev.B = dB_.get();
    dev.C = dC_.get();
    dev.D = c.D ? dD_.get() : nullptr;
    dev.z = c.z ? dz_.get() : nullptr;
    dev.delta_bias = c.bias ? dbias_.get() : nullptr;

    // Forward.
    std::vector<T> y(u.size()), last(dlast.size());
    selective_scan_forward(host, y.data(), last.data());
    const DeviceVector<T> gy(std::vector<T>(u.size())), glast(std::vector<T>(dlast.size()));
    cuda::selective_scan_forward(dev, gy.get(), glast.get());
    BOOST_TEST(relative_error(cast<double>(gy.host()), cast<double>(y)) <= tol);
    BOOST_TEST(relative_error(cast<double>(glast.host()), cast<double>(last)) <= tol);

    // Backward: every gradient.
    std::vector<std::vector<T>> cpu = {std::vector<T>(u.size()), std::vector<T>(u.size()),
                                       std::vector<T>(A.size()), std::vector<T>(B.size()),
                                       std::vector<T>(C.size()), std::vector<T>(D.size()),
                                       std::vector<T>(z.size()), std::vector<T>(bias.size())};
    const auto ptr = [](std::vector<T>& v) { return v.empty() ? nullptr : v.data(); };
    selective_scan_backward(
        host, dy.data(), dlast.data(),
        SelectiveScanGrads<T>{ptr(cpu[0]), ptr(cpu[1]), ptr(cpu[2]), ptr(cpu[3]), ptr(cpu[4]),
                              ptr(cpu[5]), ptr(cpu[6]), ptr(cpu[7])});
    std::vector<std::unique_ptr<DeviceVector<T>>> gpu;
    for (const std::vector<T>& v : cpu)
        gpu.push_back(std::make_unique<DeviceVector<T>>(std::vector<T>(v.size())));
    const auto dptr = [&](std::size_t k) { return cpu[k].empty() ? nullptr : gpu[k]->get(); };
    cuda::selective_scan_backward(dev, ddy.get(), ddlast.get(),
                                  SelectiveScanGrads<T>{dptr(0), dptr(1), dptr(2), dptr(3), dptr(4),
                                                        dptr(5), dptr(6), dptr(7)});
    const char* names[] = {"du", "ddelta", "dA", "dB", "dC", "dD", "dz", "ddelta_bias"};
    for (std::size_t k = 0; k < cpu.size(); ++k) {
        BOOST_TEST_CONTEXT(names[k]) {
            BOOST_TEST(relative_error(cast<double>(gpu[k]->host()), cast<double>(cpu[k])) <= tol);
        }
    }
}

std::string name(const Config& c) {
    return "batch " + std::to_string(c.batch) + " L " + std::to_string(c.L) + " E " +
           std::to_string(c.E) + " N " + std::to_string(c.N) + " G " + std::to_string(c.G);
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(SkipWithoutDevice);

BOOST_AUTO_TEST_CASE(cuda_selective_scan_matches_cpu_double) {
    // Both sides in double; they differ only by the order of sums and exp's last bit.
    for (const Config& c : kConfigs) {
        BOOST_TEST_CONTEXT(name(c)) {
            compare<double>(c, 1e-11);
        }
    }
}

BOOST_AUTO_TEST_CASE(cuda_selective_scan_matches_cpu_float) {
    for (const Config& c : kConfigs) {
        BOOST_TEST_CONTEXT(name(c)) {
            compare<float>(c, 1e-5);
        }
    }
}
