#include "kernels/cpu/companion_scan.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/parallel_for.hpp"
#include "kernels/cpu/companion_lanes.hpp"
#include "kernels/cpu/companion_lanes_backward.hpp"
#include "kernels/cpu/companion_scan_isa.hpp"
#include "kernels/cpu/cpu_isa.hpp"

namespace ssmscope::kernels {

namespace {

template <class T>
void check(const CompanionScanArgs<T>& a) {
    const CompanionScanShape& s = a.shape;
    if (s.batch < 0 || s.length < 0 || s.units < 1 || s.channels < 1 || s.order < 1 ||
        s.groups < 1 || s.units % s.groups != 0) {
        throw std::invalid_argument(
            "companion scan: shapes must be positive and the groups must divide the units (" +
            std::to_string(s.units) + " units, " + std::to_string(s.groups) + " groups)");
    }
    if (!a.coeffs || !a.delta || !a.x || !a.sel)
        throw std::invalid_argument("companion scan: coeffs, delta, x and sel are required");
}

// The substeps of the worst step, after refusing a step that needs too many.
template <class T>
std::int64_t check_steps(const CompanionScanArgs<T>& a) {
    const double worst = companion_scan_max_norm(a);
    if (!(worst <= kCompanionScanMaxSubsteps)) {
        throw std::invalid_argument(
            "companion scan: a step has Δ·||A|| = " + std::to_string(worst) +
            " in the scaled coordinates, more than " + std::to_string(kCompanionScanMaxSubsteps) +
            " substeps");
    }
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(worst)));
}

// The lane width and the entry points for T on this CPU: one vector register of T per lane row
// on AVX2 and AVX-512, and the baseline build's own instantiation (two SSE2 registers) otherwise.
template <class T>
struct Entry {
    int width;
    void (*forward)(const CompanionLanesJob<T>&);
    void (*backward)(const CompanionLanesJob<T>&);
};

template <class T>
Entry<T> entry() {
    constexpr bool f32 = sizeof(T) == 4;
#ifdef SSMSCOPE_KERNELS_X86
    switch (cpu_isa()) {
        case CpuIsa::Avx512:
            return {f32 ? 16 : 8, companion_lanes_forward_avx512, companion_lanes_backward_avx512};
        case CpuIsa::Avx2:
            return {f32 ? 8 : 4, companion_lanes_forward_avx2, companion_lanes_backward_avx2};
        case CpuIsa::Scalar:
            break;
    }
#endif
    return {f32 ? 8 : 4, forward_lanes < T, f32 ? 8 : 4 >, backward_lanes < T, f32 ? 8 : 4 > };
}

// The states the backward keeps per job: every token's where that takes at most this many bytes,
// else chunks of args.checkpoint_every (or as many as fit) recomputed from checkpoints.
constexpr std::int64_t kStateBytes = std::int64_t{16} << 20;

template <class T>
std::int64_t chunk_length(const CompanionScanArgs<T>& a, int width) {
    const CompanionScanShape& s = a.shape;
    const std::int64_t per_token = s.channels * s.order * width * std::int64_t{sizeof(T)};
    if (a.checkpoint_every > 0)
        return std::min(std::max<std::int64_t>(1, s.length), a.checkpoint_every);
    return std::max<std::int64_t>(1, std::min(s.length, kStateBytes / per_token - 1));
}

}  // namespace

std::int64_t companion_lanes_scratch(const CompanionScanShape& shape, std::int64_t chunk,
                                     std::int64_t substeps, int width) {
    return LanesLayout(shape, chunk, substeps, width).total;
}

template <class T>
double companion_scan_max_norm(const CompanionScanArgs<T>& a) {
    check(a);
    const CompanionScanShape& s = a.shape;
    std::vector<double> unit_norm(static_cast<std::size_t>(s.units));
    for (std::int64_t u = 0; u < s.units; ++u)
        unit_norm[static_cast<std::size_t>(u)] = unit_scale(a.coeffs + u * s.order, s.order).norm;
    double worst = 0;
    const std::int64_t steps = s.batch * s.length;
    for (std::int64_t i = 0; i < steps; ++i) {
        for (std::int64_t u = 0; u < s.units; ++u) {
            const double v = static_cast<double>(a.delta[i * s.units + u]) *
                             unit_norm[static_cast<std::size_t>(u)];
            // NaN stays the worst: a non-finite step is refused, not scanned.
            if (!(v <= worst))
                worst = v;
        }
    }
    return worst;
}

template <class T>
void companion_scan_forward(const CompanionScanArgs<T>& a, T* y) {
    check_steps(a);
    const CompanionScanShape& s = a.shape;
    const Entry<T> e = entry<T>();
    const std::int64_t per_group = s.units / s.groups;
    const std::int64_t blocks = (per_group + e.width - 1) / e.width;
    const auto scratch_size = static_cast<std::size_t>(companion_lanes_scratch(s, 0, 1, e.width));
    parallel_for(s.batch * s.groups * blocks, a.threads, [&](std::int64_t item) {
        std::vector<T> scratch(scratch_size);
        CompanionLanesJob<T> job;
        job.args = &a;
        job.b = item / (s.groups * blocks);
        const std::int64_t grp = item / blocks % s.groups;
        job.u0 = grp * per_group + item % blocks * e.width;
        job.count = std::min<std::int64_t>(e.width, (grp + 1) * per_group - job.u0);
        job.y = y;
        job.scratch = scratch.data();
        e.forward(job);
    });
}

template <class T>
void companion_scan_backward(const CompanionScanArgs<T>& a, const T* dy,
                             const CompanionScanGrads<T>& grads) {
    const std::int64_t substeps = check_steps(a);
    if (!grads.dx || !grads.ddelta || !grads.dcoeffs || !grads.dsel)
        throw std::invalid_argument("companion scan backward: every gradient is required");
    const CompanionScanShape& s = a.shape;
    const Entry<T> e = entry<T>();
    const std::int64_t N = s.order, U = s.units, per_group = U / s.groups;
    const std::int64_t chunk = chunk_length(a, e.width);
    const auto scratch_size =
        static_cast<std::size_t>(companion_lanes_scratch(s, chunk, substeps, e.width));
    // dcoeffs sums over the batch: per-row partials, added in a fixed order below.
    std::vector<T> dcoeffs_rows(static_cast<std::size_t>(s.batch * U * N), T(0));
    std::fill(grads.dsel, grads.dsel + s.batch * s.length * s.groups * N, T(0));
    // One job per (batch row, group): the units of a group add into the same dsel rows.
    parallel_for(s.batch * s.groups, a.threads, [&](std::int64_t item) {
        std::vector<T> scratch(scratch_size);
        CompanionLanesJob<T> job;
        job.args = &a;
        job.b = item / s.groups;
        job.u0 = item % s.groups * per_group;
        job.count = per_group;
        job.dy = dy;
        job.grads = &grads;
        job.dcoeffs = dcoeffs_rows.data() + (job.b * U + job.u0) * N;
        job.chunk = chunk;
        job.substeps = substeps;
        job.scratch = scratch.data();
        e.backward(job);
    });
    for (std::int64_t u = 0; u < U; ++u) {
        for (std::int64_t i = 0; i < N; ++i) {
            T sum = 0;
            for (std::int64_t b = 0; b < s.batch; ++b)
                sum += dcoeffs_rows[static_cast<std::size_t>((b * U + u) * N + i)];
            grads.dcoeffs[u * N + i] = sum;
        }
    }
}

template double companion_scan_max_norm<float>(const CompanionScanArgs<float>&);
template double companion_scan_max_norm<double>(const CompanionScanArgs<double>&);
template void companion_scan_forward<float>(const CompanionScanArgs<float>&, float*);
template void companion_scan_forward<double>(const CompanionScanArgs<double>&, double*);
template void companion_scan_backward<float>(const CompanionScanArgs<float>&, const float*,
                                             const CompanionScanGrads<float>&);
template void companion_scan_backward<double>(const CompanionScanArgs<double>&, const double*,
                                              const CompanionScanGrads<double>&);

}  // namespace ssmscope::kernels
