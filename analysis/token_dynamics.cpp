#include "analysis/token_dynamics.hpp"

#include <cmath>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

const char* to_string(TokenBehaviour b) {
    switch (b) {
        case TokenBehaviour::Converging:
            return "converging";
        case TokenBehaviour::Bounded:
            return "bounded";
        case TokenBehaviour::Diverging:
            return "diverging";
    }
    return "?";
}

TokenTrajectories token_trajectories(const Matrix& norms) {
    if (norms.cols() < 2)
        throw InputError("token trajectories need the residual stream at two depths at least");
    const Index depth = norms.cols(), tokens = norms.rows();
    TokenTrajectories r;
    r.norms = norms;
    const double layers = static_cast<double>(depth - 1);
    r.threshold = std::log(2.0) / layers;
    // Least-squares slope of log ||x|| against the depth l = 0..n_layer.
    const double mean_l = layers / 2.0;
    double var_l = 0.0;
    for (Index l = 0; l < depth; ++l)
        var_l += (static_cast<double>(l) - mean_l) * (static_cast<double>(l) - mean_l);
    for (Index i = 0; i < tokens; ++i) {
        const Vector logs = r.norms.row(i).transpose().array().max(1e-300).log();
        double cov = 0.0;
        for (Index l = 0; l < depth; ++l)
            cov += (static_cast<double>(l) - mean_l) * (logs(l) - logs.mean());
        const double slope = cov / var_l;
        r.log_growth.push_back(slope);
        const TokenBehaviour b = slope > r.threshold    ? TokenBehaviour::Diverging
                                 : slope < -r.threshold ? TokenBehaviour::Converging
                                                        : TokenBehaviour::Bounded;
        r.behaviour.push_back(b);
        r.converging += b == TokenBehaviour::Converging;
        r.bounded += b == TokenBehaviour::Bounded;
        r.diverging += b == TokenBehaviour::Diverging;
    }
    return r;
}

LayerTokenDynamics layer_token_dynamics(const SelectiveLayer& l) {
    LayerTokenDynamics d;
    if (l.S_B.empty()) {
        d.not_applicable = l.b_fixed   ? "b is fixed (e_N), not a projection of the token"
                           : l.c_fixed ? "c is fixed (e_N), not a projection of the token"
                           : !l.nonlinear_projections.empty()
                               ? l.nonlinear_projections
                               : "the layer has no token projections S_B, S_C";
    }
    bool all_convergent = !l.S_B.empty();
    for (std::size_t g = 0; g < l.S_B.size(); ++g) {
        d.groups.push_back(token_criterion(l.S_B[g], l.S_C[g]));
        const TokenRegime r = d.groups.back().predicted;
        if (r == TokenRegime::Divergent)
            d.predicted = TokenRegime::Divergent;
        all_convergent = all_convergent && r == TokenRegime::Convergent;
    }
    if (all_convergent)
        d.predicted = TokenRegime::Convergent;
    d.importance.resize(static_cast<std::size_t>(l.tokens()));
    for (Index t = 0; t < l.tokens(); ++t)
        d.importance[static_cast<std::size_t>(t)] = l.delta_raw.row(t).mean();
    return d;
}

}  // namespace ssmscope::analysis
