#include "kernels/cpu/selective_scan.hpp"

#include <algorithm>
#include <vector>

#include "kernels/cpu/parallel.hpp"
#include "kernels/cpu/selective_scan_channel.hpp"

namespace ssmscope::kernels {

namespace {

// Channels per work item, scanned together step by step: each step then reads whole cache lines
// of u, Δ, z, y (64 floats: four lines) instead of touching a new line and often a new page per
// channel, and reads the B, C rows of the step once for all of them.
constexpr std::int64_t kChannelsPerItem = 64;

template <class T>
void run(const SelectiveScanArgs<T>& a, T* state_io, bool from_zero, T* y) {
    detail::check_selective_scan(a);
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
