#include "kernels/cpu/modal_scan.hpp"

#include <algorithm>
#include <vector>

#include "base/parallel_for.hpp"
#include "kernels/cpu/modal_scan_unit.hpp"

namespace ssmscope::kernels {

namespace {

template <class T>
void run(const ModalScanArgs<T>& a, T* state_r, T* state_i, bool from_zero, T* y) {
    detail::check_modal_scan(a);
    if (!state_r != !state_i)
        throw std::invalid_argument("modal scan: pass both parts of the state or neither");
    const ModalScanShape& s = a.shape;
    const std::int64_t PN = s.channels * s.modes;
    const auto size = [](std::int64_t n) { return static_cast<std::size_t>(n); };
    parallel_for(s.batch * s.units, a.threads, [&](std::int64_t item) {
        const std::int64_t b = item / s.units, u = item % s.units;
        std::vector<T> scratch(size(state_r ? 0 : 2 * PN));
        std::vector<T> coeffs(size(6 * s.modes));
        T* zr = state_r ? state_r + item * PN : scratch.data();  // item = b·U + u
        T* zi = state_i ? state_i + item * PN : scratch.data() + PN;
        if (from_zero) {
            std::fill(zr, zr + PN, T(0));
            std::fill(zi, zi + PN, T(0));
        }
        T* c = coeffs.data();
        const std::int64_t N = s.modes;
        const detail::ModeRow<T> row{c, c + N, c + 2 * N, c + 3 * N, c + 4 * N, c + 5 * N};
        T* yu = y ? y + (b * s.length * s.units + u) * s.channels : nullptr;
        detail::scan_unit<false>(detail::unit(a, b, u), 0, s.length, zr, zi, yu,
                                 static_cast<T*>(nullptr), static_cast<T*>(nullptr), row);
    });
}

}  // namespace

template <class T>
void modal_scan_forward(const ModalScanArgs<T>& args, T* y, T* last_re, T* last_im) {
    run(args, last_re, last_im, true, y);
}

template <class T>
void modal_scan_step(const ModalScanArgs<T>& args, T* state_re, T* state_im, T* y) {
    if (!state_re || !state_im)
        throw std::invalid_argument("modal_scan_step: the state is required");
    run(args, state_re, state_im, false, y);
}

template void modal_scan_forward<float>(const ModalScanArgs<float>&, float*, float*, float*);
template void modal_scan_forward<double>(const ModalScanArgs<double>&, double*, double*, double*);
template void modal_scan_step<float>(const ModalScanArgs<float>&, float*, float*, float*);
template void modal_scan_step<double>(const ModalScanArgs<double>&, double*, double*, double*);

}  // namespace ssmscope::kernels
