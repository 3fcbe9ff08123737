#include "kernels/cpu/selective_scan.hpp"

#include <algorithm>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

#include "base/parallel_for.hpp"
#include "kernels/cpu/cpu_isa.hpp"
#include "kernels/cpu/selective_scan_channel.hpp"
#include "kernels/cpu/selective_scan_isa.hpp"

namespace ssmscope::kernels {

std::int64_t g_selective_scan_power_blocks = 0;

std::int64_t selective_scan_power_blocks() {
    return __atomic_load_n(&g_selective_scan_power_blocks, __ATOMIC_RELAXED);
}

namespace {

// Channels per work item, scanned together step by step: each step then reads whole cache lines
// of u, Δ, z, y (64 floats: four lines) instead of touching a new line and often a new page per
// channel, and reads the B, C rows of the step once for all of them.
constexpr std::int64_t kChannelsPerItem = 64;

// The lane-parallel kernel for float where the CPU has AVX2 or AVX-512: one work item per block
// of `width` channels. Returns false (nothing done) where it does not apply: double, a scalar CPU,
// or groups whose channels do not fill whole blocks (a block reads the B, C of one group).
bool run_lanes(const SelectiveScanArgs<float>& a, float* state_io, bool from_zero, float* y) {
    const CpuIsa isa = cpu_isa();
    if (isa == CpuIsa::Scalar)
        return false;
    const SelectiveScanShape& s = a.shape;
    const std::int64_t width = isa == CpuIsa::Avx512 ? 16 : 8;
    const std::int64_t per_group = s.channels / s.groups;
    if (s.groups > 1 && per_group % width != 0)
        return false;
    const auto lanes =
        isa == CpuIsa::Avx512 ? selective_scan_lanes_avx512 : selective_scan_lanes_avx2;
    const std::int64_t N = s.state, E = s.channels;
    const std::int64_t per_batch = (E + width - 1) / width;
    parallel_for(s.batch * per_batch, a.threads, [&](std::int64_t item) {
        constexpr std::align_val_t kAlign{64};
        const std::size_t floats = static_cast<std::size_t>(2 * N * 16);
        const std::unique_ptr<float, void (*)(float*)> scratch(
            static_cast<float*>(::operator new(floats * sizeof(float), kAlign)),
            [](float* p) { ::operator delete(p, kAlign); });
        SelectiveScanLanesJob job;
        job.args = &a;
        job.b = item / per_batch;
        job.d0 = (item % per_batch) * width;
        job.count = std::min(job.d0 + width, E) - job.d0;
        float* state = state_io ? state_io + (job.b * E + job.d0) * N : nullptr;
        job.state_in = from_zero ? nullptr : state;
        job.state_out = state;
        job.y = y;
        job.scratch = scratch.get();
        lanes(job);
    });
    return true;
}

template <class T>
void run(const SelectiveScanArgs<T>& a, T* state_io, bool from_zero, T* y) {
    detail::check_selective_scan(a);
    if constexpr (std::is_same_v<T, float>) {
        if (run_lanes(a, state_io, from_zero, y))
            return;
    }
    const SelectiveScanShape& s = a.shape;
    const std::int64_t N = s.state, E = s.channels;
    const std::int64_t per_batch = (E + kChannelsPerItem - 1) / kChannelsPerItem;
    parallel_for(s.batch * per_batch, a.threads, [&](std::int64_t item) {
        const std::int64_t b = item / per_batch;
        const std::int64_t d0 = (item % per_batch) * kChannelsPerItem;
        const std::int64_t count = std::min(d0 + kChannelsPerItem, E) - d0;
        std::vector<T> scratch(state_io ? 0 : static_cast<std::size_t>(count * N));
        T* h = state_io ? state_io + (b * E + d0) * N : scratch.data();  // (count, N)
        if (from_zero)
            std::fill(h, h + count * N, T(0));
        detail::Channel<T> cs[kChannelsPerItem];
        for (std::int64_t k = 0; k < count; ++k)
            cs[k] = detail::channel(a, b, d0 + k);
        T* yb = y ? y + b * s.length * E + d0 : nullptr;
        detail::scan_channels<false>(cs, count, 0, s.length, h, yb, static_cast<T*>(nullptr),
                                     static_cast<T*>(nullptr));
    });
}

}  // namespace

template <class T>
void selective_scan_forward(const SelectiveScanArgs<T>& args, T* y, T* last_state) {
    run(args, last_state, true, y);
}

template <class T>
void selective_scan_step(const SelectiveScanArgs<T>& args, T* state, T* y) {
    if (!state)
        throw std::invalid_argument("selective_scan_step: state is required");
    run(args, state, false, y);
}

template void selective_scan_forward<float>(const SelectiveScanArgs<float>&, float*, float*);
template void selective_scan_forward<double>(const SelectiveScanArgs<double>&, double*, double*);
template void selective_scan_step<float>(const SelectiveScanArgs<float>&, float*, float*);
template void selective_scan_step<double>(const SelectiveScanArgs<double>&, double*, double*);

}  // namespace ssmscope::kernels
