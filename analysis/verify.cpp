#include "analysis/verify.hpp"

#include <complex>
#include <sstream>

#include "analysis/layer_ranks.hpp"
#include "analysis/layer_stability.hpp"
#include "analysis/token_dynamics.hpp"
#include "analysis/tolerance.hpp"
#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

const char* to_string(Condition c) {
    switch (c) {
        case Condition::Controllable:
            return "controllable";
        case Condition::Observable:
            return "observable";
        case Condition::Stable:
            return "stable";
        case Condition::Divergent:
            return "divergent";
    }
    return "?";
}

Condition parse_condition(const std::string& word) {
    for (Condition c : {Condition::Controllable, Condition::Observable, Condition::Stable,
                        Condition::Divergent}) {
        if (word == to_string(c))
            return c;
    }
    throw InputError(str("unknown condition '", word,
                         "': expected controllable, observable, stable or divergent"));
}

namespace {

// Six significant digits: a message for people (the JSON report keeps every digit).
std::string g6(double x) {
    std::ostringstream os;
    os.precision(6);
    os << x;
    return os.str();
}

// Why a rank falls short, where the structure explains it.
std::string rank_reason(const SelectiveLayer& l, bool observability) {
    if (l.form == StateForm::Scalar) {
        return str(": A = a I is scalar, so a single ", observability ? "output" : "input",
                   " sees one direction of the ", l.n, " states at any frozen token");
    }
    return "";
}

void check_rank(const SelectiveLayer& l, const FrozenRanks& r, Condition c, VerifyResult& out) {
    const bool obs = c == Condition::Observable;
    for (Index u = 0; u < l.units(); ++u) {
        const int k = r.unit_min_rank[static_cast<std::size_t>(u)];
        if (k == l.n)
            continue;
        out.violations.push_back(
            {c, l.index, l.unit_name, u,
             str(obs ? "observability" : "controllability", " rank ", k, " of ", l.n, " at token ",
                 r.unit_min_token[static_cast<std::size_t>(u)], " (", r.method, ", tolerance ",
                 r.tol, ")", rank_reason(l, obs))});
    }
}

void check_stability(const SelectiveLayer& l, const LayerStability& s, VerifyResult& out) {
    for (Index u = 0; u < l.units(); ++u) {
        const UnitStability& us = s.units[static_cast<std::size_t>(u)];
        if (us.continuous != Stability::Stable) {
            const auto& ev = s.eigenvalues[static_cast<std::size_t>(u)];
            const std::complex<double> top = ev.empty() ? 0.0 : ev.front();
            out.violations.push_back(
                {Condition::Stable, l.index, l.unit_name, u,
                 str("A is ", to_string(us.continuous), ": spectral abscissa ", g6(us.abscissa),
                     " (eigenvalue ", g6(top.real()), top.imag() >= 0 ? " + " : " - ",
                     g6(std::abs(top.imag())), "i)")});
        } else if (us.discrete != Stability::Stable) {
            out.violations.push_back(
                {Condition::Stable, l.index, l.unit_name, u,
                 str("Ā = exp(Δ A) is ", to_string(us.discrete), ": spectral radius ",
                     g6(us.radius), " at Δ = ", g6(us.delta_min))});
        }
    }
}

// The criterion is per group of S_B, S_C: a violation names the group (unit_name "group").
void check_divergent(const SelectiveLayer& l, VerifyResult& out) {
    const LayerTokenDynamics d = layer_token_dynamics(l);
    if (!d.not_applicable.empty()) {
        out.violations.push_back({Condition::Divergent, l.index, "group", 0,
                                  str("the token criterion does not apply: ", d.not_applicable)});
        return;
    }
    for (std::size_t g = 0; g < d.groups.size(); ++g) {
        const TokenCriterion& c = d.groups[g];
        if (c.negative == 0 && c.positive > 0)
            continue;
        const double smallest =
            c.nonzero_eigenvalues.empty() ? 0.0 : c.nonzero_eigenvalues.back().real();
        out.violations.push_back(
            {Condition::Divergent, l.index, "group", static_cast<Index>(g),
             c.positive == 0
                 ? str("no eigenvalue of M = S_C' S_B has positive real part (", c.negative,
                       " negative of ", c.nonzero_eigenvalues.size(), " nonzero): tokens are ",
                       to_string(c.predicted))
                 : str(c.negative, " of ", c.nonzero_eigenvalues.size(),
                       " nonzero eigenvalues of M = S_C' S_B have negative real part (smallest ",
                       g6(smallest), "): the convergent scenario is not excluded")});
    }
}

}  // namespace

VerifyResult verify(const ProbeTrace& trace, const std::vector<Condition>& required,
                    std::optional<double> tol) {
    VerifyResult out;
    out.required = required;
    out.tol = tol.value_or(default_structural_tol());
    const auto wants = [&](Condition c) {
        for (Condition r : required)
            if (r == c)
                return true;
        return false;
    };
    for (const SelectiveLayer& l : trace.layers) {
        l.validate();
        if (wants(Condition::Controllable) || wants(Condition::Observable)) {
            const LayerRanks r = layer_ranks(l, {.tol = tol, .cross_check_pairs = 0});
            if (wants(Condition::Controllable))
                check_rank(l, r.ctrb, Condition::Controllable, out);
            if (wants(Condition::Observable))
                check_rank(l, r.obsv, Condition::Observable, out);
        }
        if (wants(Condition::Stable))
            check_stability(l, layer_stability(l), out);
        if (wants(Condition::Divergent))
            check_divergent(l, out);
    }
    return out;
}

}  // namespace ssmscope::analysis
