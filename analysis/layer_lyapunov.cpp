#include "analysis/layer_lyapunov.hpp"

#include <algorithm>
#include <functional>
#include <limits>

#include "analysis/companion_exp.hpp"
#include "analysis/lyapunov_exponents.hpp"
#include "analysis/median.hpp"
#include "base/parallel_for.hpp"

namespace ssmscope::analysis {

namespace {

// Products of steps grouped so that each group's ||Σ Δ A||_1 stays below this: the QR then works
// on matrices of condition at most e^(2 kChunkNorm) (||exp(M)|| ||exp(-M)|| <= e^(2||M||)).
constexpr double kChunkNorm = 2.0;

// The QR method on the steps of one unit, grouped: every Ā_t = exp(Δ_t A) of a unit commutes with
// every other, so the product of a run of them is exp((Σ Δ_t) A), one exponential applied to Q
// instead of one per token. The estimates are those of the token-by-token QR exactly (the R factor
// of a product is the product of the R factors), so the finite-horizon transient is the same.
Vector commuting_exponents(const SelectiveLayer& l, Index u) {
    const CompanionExp E(l.a.row(u).transpose(), l.form == StateForm::CompanionTransposed);
    const Index T = l.tokens(), n = l.n;
    std::vector<double> spans;
    double span = 0;
    for (Index t = 0; t < T; ++t) {
        const double d = l.delta(t, u);
        if (span > 0 && (span + d) * E.norm1() > kChunkNorm) {
            spans.push_back(span);
            span = 0;
        }
        span += d;
    }
    spans.push_back(span);
    const auto chunks = static_cast<Index>(spans.size());
    const Vector per_chunk = lyapunov_exponents(n, chunks, [&](Index k, Matrix& At) {
        At = Matrix::Identity(n, n);
        E.apply(spans[static_cast<std::size_t>(k - 1)], At);
    });
    return per_chunk * (static_cast<double>(chunks) / static_cast<double>(T));
}

// mean(Δ) Re λ_i(A), descending: the exponents of the unit's product as the horizon grows.
Vector limits(const SelectiveLayer& l, Index u) {
    const double mean = l.tokens() > 0 ? l.delta.col(u).mean() : 0.0;
    Vector re;
    if (l.diagonal_a()) {
        re = l.diagonal(u);
    } else {
        const std::vector<std::complex<double>> eig = l.eigenvalues(u);
        re.resize(static_cast<Index>(eig.size()));
        for (std::size_t i = 0; i < eig.size(); ++i)
            re(static_cast<Index>(i)) = eig[i].real();
    }
    Vector out = mean * re;
    std::sort(out.data(), out.data() + out.size(), std::greater<>());
    return out;
}

}  // namespace

LayerLyapunov layer_lyapunov(const SelectiveLayer& l) {
    const Index units = l.units();
    const bool diagonal = l.diagonal_a();
    LayerLyapunov r;
    r.method = diagonal ? "closed-form-diagonal" : "qr";
    r.unit_exponents.resize(static_cast<std::size_t>(units));
    r.unit_limits.resize(static_cast<std::size_t>(units));
    parallel_for(units, 0, [&](Index begin, Index end) {
        for (Index u = begin; u < end; ++u) {
            Vector& out = r.unit_exponents[static_cast<std::size_t>(u)];
            r.unit_limits[static_cast<std::size_t>(u)] = limits(l, u);
            if (diagonal) {
                // log|Ā_t(i,i)| = Δ_t a_i.
                out = lyapunov_exponents_diagonal(l.delta.col(u) * l.diagonal(u).transpose());
            } else {
                out = commuting_exponents(l, u);
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

    std::vector<double> largest_limits;
    r.largest_limit = -std::numeric_limits<double>::infinity();
    for (Index u = 0; u < units; ++u) {
        const Vector& lim = r.unit_limits[static_cast<std::size_t>(u)];
        const double top = lim.size() > 0 ? lim(0) : -std::numeric_limits<double>::infinity();
        largest_limits.push_back(top);
        if (top > r.largest_limit) {
            r.largest_limit = top;
            r.largest_limit_unit = u;
        }
        r.transient_units += r.unit_exponents[static_cast<std::size_t>(u)](0) > 0 && top <= 0;
    }
    r.median_largest_limit = median(std::move(largest_limits));
    return r;
}

}  // namespace ssmscope::analysis
