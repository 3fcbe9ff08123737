#include "kernels/cpu/ssd_scan.hpp"

#include <algorithm>
#include <vector>

#include "base/parallel_for.hpp"
#include "kernels/cpu/ssd_scan_head.hpp"

namespace ssmscope::kernels {

namespace {

template <class T>
void run(const SsdScanArgs<T>& a, T* state_io, bool from_zero, T* y) {
    detail::check_ssd_scan(a);
    const SsdScanShape& s = a.shape;
    const std::int64_t PN = s.head_dim * s.state;
    parallel_for(s.batch * s.heads, a.threads, [&](std::int64_t item) {
        const std::int64_t b = item / s.heads, h = item % s.heads;
        std::vector<T> scratch(state_io ? 0 : static_cast<std::size_t>(PN));
        T* S = state_io ? state_io + item * PN : scratch.data();  // item = b·H + h
        if (from_zero)
            std::fill(S, S + PN, T(0));
        T* yh = y ? y + (b * s.length * s.heads + h) * s.head_dim : nullptr;
        detail::scan_head<false>(detail::head(a, b, h), 0, s.length, S, yh,
                                 static_cast<T*>(nullptr));
    });
}

}  // namespace

template <class T>
void ssd_scan_forward(const SsdScanArgs<T>& args, T* y, T* last_state) {
    run(args, last_state, true, y);
}

template <class T>
void ssd_scan_step(const SsdScanArgs<T>& args, T* state, T* y) {
    if (!state)
        throw std::invalid_argument("ssd_scan_step: state is required");
    run(args, state, false, y);
}

template void ssd_scan_forward<float>(const SsdScanArgs<float>&, float*, float*);
template void ssd_scan_forward<double>(const SsdScanArgs<double>&, double*, double*);
template void ssd_scan_step<float>(const SsdScanArgs<float>&, float*, float*);
template void ssd_scan_step<double>(const SsdScanArgs<double>&, double*, double*);

}  // namespace ssmscope::kernels
