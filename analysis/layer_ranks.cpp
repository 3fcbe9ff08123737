#include "analysis/layer_ranks.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "analysis/controllability.hpp"
#include "analysis/single_input_rank.hpp"
#include "analysis/staircase.hpp"
#include "analysis/tolerance.hpp"
#include "base/cancel.hpp"
#include "base/parallel_for.hpp"

namespace ssmscope::analysis {

namespace {

// Eigenvalue clusters of a diagonal A: cluster[i] is the cluster of a_i; count the clusters.
struct Clusters {
    std::vector<int> of;
    int count = 0;
};

Clusters clusters(const Vector& a, double tol) {
    const Index n = a.size();
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index{0});
    std::sort(order.begin(), order.end(), [&](Index i, Index j) { return a(i) < a(j); });
    const double cut = tol * a.cwiseAbs().maxCoeff();
    Clusters c;
    c.of.assign(static_cast<std::size_t>(n), 0);
    for (Index k = 0; k < n; ++k) {
        if (k > 0 && a(order[k]) - a(order[k - 1]) > cut)
            ++c.count;
        c.of[static_cast<std::size_t>(order[k])] = c.count;
    }
    c.count = n > 0 ? c.count + 1 : 0;
    return c;
}

// The entries of b above tol ||b||, the cluster rule's input: it depends on the vector only, not
// on the unit's A, so a layer computes it once per group and token and every unit of the group
// reads it (a 130M Mamba has one group for its 1536 channels).
struct Reached {
    std::vector<char> above;  // above[t * n + i]: |b_t(i)| > tol ||b_t||
    std::vector<int> count;   // per token: the entries above, the rank when every cluster is single
};

Reached reached_entries(const Matrix& V, Index tokens, double tol) {
    const Index n = V.cols();
    Reached r;
    r.above.assign(static_cast<std::size_t>(tokens * n), 0);
    r.count.assign(static_cast<std::size_t>(tokens), 0);
    const Matrix Vt = V.topRows(tokens).transpose();  // contiguous b_t: V's rows are strided
    for (Index t = 0; t < tokens; ++t) {
        // An exactly zero b reaches nothing: cut is 0 and no |b_i| exceeds it.
        const double cut = tol * Vt.col(t).norm();
        for (Index i = 0; i < n; ++i) {
            const bool above = std::abs(Vt(i, t)) > cut;
            r.above[static_cast<std::size_t>(t * n + i)] = above;
            r.count[static_cast<std::size_t>(t)] += above;
        }
    }
    return r;
}

// reached: scratch of at least c.count entries, reused across calls (this runs ~10^7 times).
int clustered_rank(const Clusters& c, const char* above, Index n, std::vector<char>& reached) {
    // One cluster per eigenvalue (distinct a_i, Mamba's generic case): each entry above the cut
    // reaches its own mode. One cluster (scalar A, Mamba-2): rank 1 exactly when one entry is
    // above the cut, i.e. ||b||_inf > tol ||b||_2, which holds for every b != 0 when
    // tol < 1 / sqrt(N).
    if (c.count == n || c.count == 1) {
        int above_count = 0;
        for (Index i = 0; i < n; ++i)
            above_count += above[i];
        return c.count == 1 ? std::min(above_count, 1) : above_count;
    }
    std::fill(reached.begin(), reached.begin() + c.count, 0);
    int rank = 0;
    for (Index i = 0; i < n; ++i) {
        const auto k = static_cast<std::size_t>(c.of[static_cast<std::size_t>(i)]);
        if (above[i] && !reached[k]) {
            reached[k] = 1;
            ++rank;
        }
    }
    return rank;
}

FrozenRanks frozen_ranks(const SelectiveLayer& l, bool observability, const RankOptions& o) {
    const Index units = l.units(), tokens = l.tokens(), n = l.n;
    const double tol = o.tol.value_or(default_structural_tol());
    const bool fixed = observability ? l.c_fixed : l.b_fixed;
    const auto vec = [&](Index u, Index t) { return observability ? l.c(u, t) : l.b(u, t); };
    const auto staircase_rank = [&](const Matrix& A, const Vector& v) {
        return (observability ? obsv_staircase(A, v.transpose(), tol, false)
                              : ctrb_staircase(A, v, tol, false))
            .rank;
    };

    FrozenRanks r;
    r.tol = tol;
    r.pairs = units * tokens;
    r.method = l.diagonal_a() ? "pbh-diagonal" : fixed ? "staircase-fixed-vector" : "staircase";
    std::vector<int> rank(static_cast<std::size_t>(r.pairs));
    const auto at = [&](Index u, Index t) -> int& {
        return rank[static_cast<std::size_t>(u * tokens + t)];
    };
    std::vector<Reached> groups;
    if (l.diagonal_a()) {
        const std::vector<Matrix>& V = observability ? l.C : l.B;
        groups.resize(V.size());
        parallel_for(static_cast<Index>(V.size()), 0, [&](Index g) {
            groups[static_cast<std::size_t>(g)] =
                reached_entries(V[static_cast<std::size_t>(g)], fixed ? 1 : tokens, tol);
        });
    }
    parallel_for(units, 0, [&](Index begin, Index end) {
        std::vector<char> reached(static_cast<std::size_t>(n));
        for (Index u = begin; u < end; ++u) {
            if (l.diagonal_a()) {
                const Clusters c = clusters(l.diagonal(u), tol);
                const Reached& g =
                    groups[static_cast<std::size_t>(observability ? l.c_group(u) : l.b_group(u))];
                for (Index t = 0; t < tokens; ++t) {
                    const Index k = fixed ? 0 : t;
                    // Distinct eigenvalues: the rank is the group's count, no per-pair work.
                    at(u, t) = c.count == n
                                   ? g.count[static_cast<std::size_t>(k)]
                                   : clustered_rank(c, &g.above[static_cast<std::size_t>(k * n)], n,
                                                    reached);
                }
            } else if (fixed) {
                const int k = staircase_rank(l.A(u), vec(u, 0));
                for (Index t = 0; t < tokens; ++t)
                    at(u, t) = k;
            } else {
                // Observability of (A, c') is controllability of (A', c). The staircase's verdict,
                // without its LAPACK overhead where the margin is clear (single_input_rank.hpp).
                const Matrix A = observability ? Matrix(l.A(u).transpose()) : l.A(u);
                for (Index t = 0; t < tokens; ++t) {
                    if (t % 256 == 0)
                        throw_if_cancelled();  // a unit of a long probe takes tens of ms
                    at(u, t) = single_input_rank(A, vec(u, t), tol).rank;
                }
            }
        }
    });

    std::vector<Index> count(static_cast<std::size_t>(n + 1), 0);
    r.unit_min_rank.assign(static_cast<std::size_t>(units), static_cast<int>(n));
    r.unit_min_token.assign(static_cast<std::size_t>(units), 0);
    for (Index u = 0; u < units; ++u) {
        for (Index t = 0; t < tokens; ++t) {
            const int k = at(u, t);
            ++count[static_cast<std::size_t>(k)];
            if (k < r.unit_min_rank[static_cast<std::size_t>(u)]) {
                r.unit_min_rank[static_cast<std::size_t>(u)] = k;
                r.unit_min_token[static_cast<std::size_t>(u)] = t;
            }
        }
    }
    Index seen = 0;
    bool first = true;
    for (Index k = 0; k <= n; ++k) {
        const Index c = count[static_cast<std::size_t>(k)];
        if (c == 0)
            continue;
        if (first)
            r.min = static_cast<int>(k);
        first = false;
        r.max = static_cast<int>(k);
        if (seen <= (r.pairs - 1) / 2 && seen + c > (r.pairs - 1) / 2)
            r.median = static_cast<int>(k);
        seen += c;
    }
    r.fraction_full = r.pairs > 0 ? static_cast<double>(count[static_cast<std::size_t>(n)]) /
                                        static_cast<double>(r.pairs)
                                  : 0.0;

    // Cross checks on evenly spread pairs, as many as the cost budget of RankOptions allows.
    double budget = static_cast<double>(std::max<Index>(o.cross_check_pairs, 0));
    if (n > 16)
        budget *= std::pow(16.0 / static_cast<double>(n), 4);
    const Index samples = std::min(r.pairs, static_cast<Index>(budget));
    std::vector<RankDecision> checks(static_cast<std::size_t>(samples));
    parallel_for(samples, 0, [&](Index begin, Index end) {
        for (Index i = begin; i < end; ++i) {
            const Index k = i * r.pairs / samples, u = k / tokens, t = k % tokens;
            const Vector v = vec(u, t);
            checks[static_cast<std::size_t>(i)] = observability
                                                      ? obsv_rank(l.A(u), v.transpose(), o.tol)
                                                      : ctrb_rank(l.A(u), v, o.tol);
        }
    });
    r.cross_checked = samples;
    r.svd_gap_min = std::numeric_limits<double>::infinity();
    r.staircase_gap_min = std::numeric_limits<double>::infinity();
    for (Index i = 0; i < samples; ++i) {
        const Index k = i * r.pairs / samples;
        const RankDecision& d = checks[static_cast<std::size_t>(i)];
        const int decided = rank[static_cast<std::size_t>(k)];
        r.staircase_disagreements += d.staircase.rank != decided;
        r.svd_disagreements += d.svd.rank != decided;
        r.pbh_disagreements += d.pbh.rank != decided;
        r.svd_tol = d.svd.tol;
        r.svd_gap_min = std::min(r.svd_gap_min, d.svd.gap);
        if (d.staircase.has_diagnostics)
            r.staircase_gap_min = std::min(r.staircase_gap_min, d.staircase.gap);
    }
    return r;
}

}  // namespace

int diagonal_pbh_rank(const Vector& a, const Vector& b, double tol) {
    const Index n = a.size();
    std::vector<char> reached(static_cast<std::size_t>(n));
    const Reached r = reached_entries(b.transpose(), 1, tol);
    return clustered_rank(clusters(a, tol), r.above.data(), n, reached);
}

LayerRanks layer_ranks(const SelectiveLayer& layer, const RankOptions& options) {
    return {frozen_ranks(layer, false, options), frozen_ranks(layer, true, options)};
}

}  // namespace ssmscope::analysis
