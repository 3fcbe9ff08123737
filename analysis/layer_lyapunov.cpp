#include "analysis/layer_lyapunov.hpp"

#include <algorithm>
#include <limits>

#include "analysis/lyapunov_exponents.hpp"
#include "analysis/median.hpp"
#include "base/parallel_for.hpp"
#include "analysis/unit_steps.hpp"

namespace ssmscope::analysis {

LayerLyapunov layer_lyapunov(const SelectiveLayer& l) {
    const Index units = l.units(), T = l.tokens(), n = l.n;
    const bool diagonal = l.diagonal_a();
    LayerLyapunov r;
    r.method = diagonal ? "closed-form-diagonal" : "qr";
    r.unit_exponents.resize(static_cast<std::size_t>(units));
    parallel_for(units, 0, [&](Index begin, Index end) {
        for (Index u = begin; u < end; ++u) {
            Vector& out = r.unit_exponents[static_cast<std::size_t>(u)];
            if (diagonal) {
                // log|Ā_t(i,i)| = Δ_t a_i.
                out = lyapunov_exponents_diagonal(l.delta.col(u) * l.diagonal(u).transpose());
            } else {
                const std::vector<ZohPair> steps = unit_steps(l, u);
                out = lyapunov_exponents(n, T, [&](Index t, Matrix& At) {
                    At = steps[static_cast<std::size_t>(t - 1)].Ad;  // t = 1..T
                });
            }
        }
    });
    std::vector<double> largest;
    r.largest = -std::numeric_limits<double>::infinity();
    for (Index u = 0; u < units; ++u) {
        const double top = r.unit_exponents[static_cast<std::size_t>(u)](0);
        largest.push_back(top);
        if (top > r.largest) {
            r.largest = top;
            r.largest_unit = u;
        }
    }
    r.median_largest = median(std::move(largest));
    return r;
}

}  // namespace ssmscope::analysis
