#include "analysis/layer_reachable.hpp"

#include <algorithm>
#include <cmath>

#include "analysis/median.hpp"
#include "base/parallel_for.hpp"
#include "analysis/unit_steps.hpp"

namespace ssmscope::analysis {

Matrix reachability_matrix(const SelectiveLayer& l, Index u) {
    const Index T = l.tokens(), n = l.n;
    Matrix R(n, T);
    if (l.diagonal_a()) {
        // Φ(T,t) is diagonal: exp(a_i Σ_{k>t} Δ_k).
        const Vector diag = l.diagonal(u);
        for (Index i = 0; i < n; ++i) {
            const double a = diag(i);
            double after = 0.0;  // Σ_{k>t} Δ_k
            for (Index t = T - 1; t >= 0; --t) {
                const double d = l.delta(t, u);
                R(i, t) = std::exp(a * after) * input_gain(a, d, l.exact_zoh) * l.b(u, t)(i);
                after += d;
            }
        }
        return R;
    }
    const std::vector<ZohPair> steps = unit_steps(l, u);
    Matrix phi = Matrix::Identity(n, n);
    for (Index t = T - 1; t >= 0; --t) {
        R.col(t) = phi * (steps[static_cast<std::size_t>(t)].Bd * l.b(u, t));
        phi = phi * steps[static_cast<std::size_t>(t)].Ad;
    }
    return R;
}

LayerReachable layer_reachable(const SelectiveLayer& l, std::optional<double> tol) {
    const Index units = l.units();
    LayerReachable r;
    r.unit_rank.assign(static_cast<std::size_t>(units), 0);
    r.unit_gap.assign(static_cast<std::size_t>(units), 0.0);
    r.tol = tol.value_or(default_rank_tol(l.n, l.tokens()));
    parallel_for(units, 0, [&](Index begin, Index end) {
        for (Index u = begin; u < end; ++u) {
            const RankReport rr = svd_rank(reachability_matrix(l, u), r.tol);
            r.unit_rank[static_cast<std::size_t>(u)] = rr.rank;
            r.unit_gap[static_cast<std::size_t>(u)] = rr.gap;
        }
    });
    std::vector<int> sorted = r.unit_rank;
    std::sort(sorted.begin(), sorted.end());
    if (!sorted.empty()) {
        r.min = sorted.front();
        r.max = sorted.back();
        r.median = median(sorted);
        r.fraction_full =
            static_cast<double>(std::count(sorted.begin(), sorted.end(), static_cast<int>(l.n))) /
            static_cast<double>(sorted.size());
    }
    return r;
}

}  // namespace ssmscope::analysis
