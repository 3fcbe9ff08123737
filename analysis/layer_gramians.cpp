#include "analysis/layer_gramians.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

#include "analysis/gram.hpp"
#include "analysis/hsv.hpp"
#include "analysis/median.hpp"
#include "analysis/schur.hpp"
#include "analysis/spectrum.hpp"
#include "analysis/tolerance.hpp"
#include "base/parallel_for.hpp"

namespace ssmscope::analysis {

LayerGramians layer_gramians(const SelectiveLayer& l, Index max_samples,
                             std::optional<double> tol) {
    const Index pairs = l.units() * l.tokens();
    LayerGramians g;
    g.tol = tol.value_or(default_structural_tol());
    g.sampled = std::min(pairs, std::max<Index>(max_samples, 0));
    g.samples.resize(static_cast<std::size_t>(g.sampled));
    std::vector<std::string> reasons(static_cast<std::size_t>(g.sampled));
    parallel_for(g.sampled, 0, [&](Index begin, Index end) {
        for (Index i = begin; i < end; ++i) {
            const Index k = i * pairs / g.sampled, u = k / l.tokens(), t = k % l.tokens();
            GramianSample& s = g.samples[static_cast<std::size_t>(i)];
            s.unit = u;
            s.token = t;
            if (l.form == StateForm::Scalar) {
                // (aI, b, c), a Mamba-2 head (N = 64 or 128): Wc = b b'/(-2a) and Wo = c c'/(-2a),
                // so Wc Wo = b (b'c) c' / (4a^2) has rank one and the HSVs are |b'c|/(-2a) and
                // N - 1 zeros. O(N) instead of the O(N^3) of the factors and their product.
                const Vector a = l.diagonal(u);
                std::vector<std::complex<double>> eig(a.data(), a.data() + a.size());
                if (spectrum(std::move(eig), a.norm(), false).stable()) {
                    Vector h = Vector::Zero(l.n);
                    if (l.n > 0)
                        h(0) = std::abs(l.b(u, t).dot(l.c(u, t))) / (-2.0 * a(0));
                    s.hsv = std::move(h);
                    continue;
                }
                // Not stable: the general path below gives the same reason as for a diagonal A.
            }
            Gramian wc, wo;
            if (l.diagonal_a()) {
                // Closed forms (gram.hpp): O(N^2), no Schur factorisation, no Lyapunov solver.
                const Vector a = l.diagonal(u);
                wc = diagonal_gram(a, l.b(u, t), GramKind::Controllability, false);
                wo = diagonal_gram(a, l.c(u, t), GramKind::Observability, false);
            } else {
                const RealSchur schur = real_schur(l.A(u));
                wc = gram(schur, l.b(u, t), GramKind::Controllability, false);
                wo = gram(schur, l.c(u, t).transpose(), GramKind::Observability, false);
            }
            s.hsv = hsv(wc, wo);
            if (!s.hsv)
                reasons[static_cast<std::size_t>(i)] = wc.undefined_reason;
        }
    });
    std::vector<double> largest;
    std::vector<int> orders;
    for (std::size_t i = 0; i < g.samples.size(); ++i) {
        const auto& h = g.samples[i].hsv;
        if (!h) {
            if (g.undefined_reason.empty())
                g.undefined_reason = reasons[i];
            continue;
        }
        ++g.defined;
        const double top = h->size() > 0 ? (*h)(0) : 0.0;
        largest.push_back(top);
        orders.push_back(static_cast<int>((h->array() > g.tol * top).count()));
    }
    if (!largest.empty()) {
        g.hsv_max_min = *std::min_element(largest.begin(), largest.end());
        g.hsv_max_max = *std::max_element(largest.begin(), largest.end());
        g.hsv_max_median = median(largest);
        g.order_min = *std::min_element(orders.begin(), orders.end());
        g.order_max = *std::max_element(orders.begin(), orders.end());
        g.order_median = median(orders);
    }
    return g;
}

}  // namespace ssmscope::analysis
