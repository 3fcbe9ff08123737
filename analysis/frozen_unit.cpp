#include "analysis/frozen_unit.hpp"

#include "analysis/discretize.hpp"
#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

FrozenUnit frozen_unit(const SelectiveLayer& layer, Index unit, Index token,
                       std::optional<double> tol) {
    if (unit < 0 || unit >= layer.units()) {
        throw InputError(str("layer ", layer.index, ": ", layer.unit_name, " ", unit,
                             " does not exist (0 to ", layer.units() - 1, ")"));
    }
    if (token < 0 || token >= layer.tokens()) {
        throw InputError(str("layer ", layer.index, ": token ", token,
                             " is not in the probe (0 to ", layer.tokens() - 1, ")"));
    }
    FrozenUnit f;
    f.unit = unit;
    f.token = token;
    f.delta = layer.delta(token, unit);
    const Matrix A = layer.A(unit);
    const Vector b = layer.b(unit, token);
    const Vector c = layer.c(unit, token);
    f.system = make_ss(A, b, c.transpose());
    const LtiOptions options{.tol = tol, .cross_checks = true};
    f.continuous = analyze_lti(f.system, options);
    if (f.delta > 0) {
        const ZohPair zoh_pair = zoh(A, b, f.delta);
        const Matrix Bd = layer.exact_zoh ? zoh_pair.Bd : Matrix(f.delta * b);
        f.sampled = make_ss(zoh_pair.Ad, Bd, c.transpose(), {}, f.delta);
        f.discrete = analyze_lti(f.sampled, options);
    }
    return f;
}

}  // namespace ssmscope::analysis
