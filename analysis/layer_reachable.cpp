#include "analysis/layer_reachable.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/QR>

#include "analysis/median.hpp"
#include "analysis/unit_steps.hpp"
#include "base/parallel_for.hpp"

namespace ssmscope::analysis {

Matrix reachability_matrix(const SelectiveLayer& l, Index u) {
    const Index T = l.tokens(), n = l.n;
    Matrix R(n, T);
    if (l.diagonal_a()) {
        // Φ(T,t) is diagonal: exp(a_i Σ_{k>t} Δ_k).
        const Vector diag = l.diagonal(u);
        // The group's rows directly: l.b(u, t) would build an N-vector for every entry.
        const Matrix& V = l.B[static_cast<std::size_t>(l.b_group(u))];
        for (Index i = 0; i < n; ++i) {
            const double a = diag(i);
            double after = 0.0;  // Σ_{k>t} Δ_k
            for (Index t = T - 1; t >= 0; --t) {
                const double d = l.delta(t, u);
                R(i, t) =
                    std::exp(a * after) * input_gain(a, d, l.exact_zoh) * V(l.b_fixed ? 0 : t, i);
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

Vector reachable_singular_values(const SelectiveLayer& l, Index u) {
    const Index n = l.n, T = l.tokens();
    if (T <= n)
        return singular_values(reachability_matrix(l, u));
    // R' = Q [S; 0] with S upper triangular N x N: R = [S' 0] Q', so R and S have the same
    // singular values, and the SVD runs on N x N instead of N x T. Householder QR is backward
    // stable: what S's SVD sees is R + E with ||E|| ~ eps ||R||, as for an SVD of R itself.
    Eigen::HouseholderQR<Matrix> qr(reachability_matrix(l, u).transpose());
    const Matrix S = qr.matrixQR().topRows(n).triangularView<Eigen::Upper>();
    return singular_values(S);
}

LayerReachable layer_reachable(const SelectiveLayer& l, std::optional<double> tol) {
    const Index units = l.units();
    LayerReachable r;
    r.unit_rank.assign(static_cast<std::size_t>(units), 0);
    r.unit_gap.assign(static_cast<std::size_t>(units), 0.0);
    r.tol = tol.value_or(default_rank_tol(l.n, l.tokens()));
    parallel_for(units, 0, [&](Index begin, Index end) {
        for (Index u = begin; u < end; ++u) {
            const RankReport rr = rank_from_singular_values(reachable_singular_values(l, u), r.tol);
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
