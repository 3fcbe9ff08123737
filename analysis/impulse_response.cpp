#include "analysis/impulse_response.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "analysis/companion_exp.hpp"
#include "analysis/unit_steps.hpp"
#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

namespace {

double spectral_abscissa(const SelectiveLayer& l, Index unit) {
    if (l.diagonal_a())
        return l.diagonal(unit).maxCoeff();
    double alpha = -std::numeric_limits<double>::infinity();
    for (const auto& z : l.eigenvalues(unit))
        alpha = std::max(alpha, z.real());
    return alpha;
}

Index window_for(double decay_rate, const ImpulseOptions& o) {
    const double estimate = 4.0 * std::log(1.0 / o.tol) / decay_rate;
    if (!(estimate < static_cast<double>(o.max_window)))
        return o.max_window;
    return std::clamp<Index>(static_cast<Index>(std::ceil(estimate)),
                             std::min<Index>(64, o.max_window), o.max_window);
}

}  // namespace

ImpulseResponse impulse_response(const SelectiveLayer& l, Index unit, Index token,
                                 const ImpulseOptions& o) {
    if (unit < 0 || unit >= l.units()) {
        throw InputError(str("layer ", l.index, ": ", l.unit_name, " ", unit,
                             " does not exist (0 to ", l.units() - 1, ")"));
    }
    if (token < 0 || token >= l.tokens()) {
        throw InputError(str("layer ", l.index, ": token ", token, " is not in the probe (0 to ",
                             l.tokens() - 1, ")"));
    }
    ImpulseResponse r;
    r.unit = unit;
    r.token = token;
    r.delta = l.delta(token, unit);
    r.decay_rate = -r.delta * spectral_abscissa(l, unit);
    const bool decays = r.decay_rate > 0;
    r.window = decays ? window_for(r.decay_rate, o) : std::min<Index>(o.keep, o.max_window);
    const Index n = l.n;
    const Vector b = l.b(unit, token), c = l.c(unit, token);

    // h_k = Ā^k B̄, K_k = c h_k. Diagonal forms elementwise; companion forms by the dense Ā_t,
    // formed once (N matrix-vector products per step instead of one exponential each).
    Vector h(n);
    Vector abar;  // diagonal forms
    Matrix Abar;  // companion forms
    if (l.diagonal_a()) {
        const Vector a = l.diagonal(unit);
        abar = (r.delta * a).array().exp();
        for (Index i = 0; i < n; ++i)
            h(i) = input_gain(a(i), r.delta, l.exact_zoh) * b(i);
    } else {
        const CompanionExp E(l.a.row(unit).transpose(), l.form == StateForm::CompanionTransposed);
        Abar = Matrix::Identity(n, n);
        E.apply(r.delta, Abar);
        h = l.exact_zoh ? E.gain(r.delta, b) : Vector(r.delta * b);
    }
    // For the diagonal forms sum_i |c_i h_i| |ā_i|^k bounds every later |K_j| and only falls,
    // so the scan can stop as soon as it is below the tolerance of the peak so far.
    Vector weight = (c.array() * h.array()).abs();
    std::vector<double> kernel;
    double peak = 0;
    Index last_above = -1;
    for (Index k = 0; k < r.window; ++k) {
        const double K = c.dot(h);
        kernel.push_back(K);
        if (std::abs(K) > peak)
            peak = std::abs(K);
        if (l.diagonal_a()) {
            if (weight.sum() == 0 || (decays && weight.sum() < o.tol * peak))
                break;
            h.array() *= abar.array();
            weight.array() *= abar.array().abs();
        } else {
            h = Abar * h;
        }
    }
    for (Index k = 0; k < static_cast<Index>(kernel.size()); ++k)
        if (std::abs(kernel[static_cast<std::size_t>(k)]) >= o.tol * peak)
            last_above = k;
    const Index kept = std::min<Index>(o.keep, static_cast<Index>(kernel.size()));
    r.kernel = Eigen::Map<const Vector>(kernel.data(), kept);
    if (!decays) {
        r.undefined_reason =
            str("rho(Abar) = exp(", -r.decay_rate, ") >= 1: the kernel does not decay");
    } else if (peak == 0) {
        r.horizon = 0;  // c_t B̄_t = 0 and every later term: nothing is remembered
    } else if (last_above + 1 >= r.window) {
        r.undefined_reason =
            str("still above ", o.tol, " of its peak after the window of ", r.window, " tokens");
    } else {
        r.horizon = last_above + 1;
    }
    return r;
}

}  // namespace ssmscope::analysis
