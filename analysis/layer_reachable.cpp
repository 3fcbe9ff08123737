#include "analysis/layer_reachable.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/QR>

#include "analysis/companion_exp.hpp"
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
    // Every Ā_t is exp(Δ_t A) with the same A, so Φ(T,t) = exp(σ_{t+1} A), σ_{t+1} = Σ_{k>t} Δ_k,
    // and no step needs a dense exponential (analysis/companion_exp.hpp).
    const CompanionExp E(l.a.row(u).transpose(), l.form == StateForm::CompanionTransposed);
    if (l.b_fixed) {
        // One trajectory y(σ) = exp(σ A) b serves every column: R(:,t) = ∫ y over
        // [σ_{t+1}, σ_{t+1} + Δ_t] (exact ZOH), or Δ_t y(σ_{t+1}) (Euler), O(N) per token.
        Matrix y = l.b(u, 0), integral;
        for (Index t = T - 1; t >= 0; --t) {
            const double d = l.delta(t, u);
            if (l.exact_zoh) {
                E.apply(d, y, &integral);
                R.col(t) = integral.col(0);
            } else {
                R.col(t) = d * y.col(0);
                E.apply(d, y);
            }
        }
        return R;
    }
    // A b_t per token: Φ(T,t) itself, carried as Φ' <- exp(Δ A') Φ', O(N^2) per token.
    Matrix phi_t = Matrix::Identity(n, n);
    for (Index t = T - 1; t >= 0; --t) {
        const double d = l.delta(t, u);
        const Vector b = l.b(u, t);
        R.col(t) = phi_t.transpose() * (l.exact_zoh ? E.gain(d, b) : Vector(d * b));
        E.apply_transposed(d, phi_t);
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
