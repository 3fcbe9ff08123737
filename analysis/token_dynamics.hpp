// Token asymptotics (docs/numbers.md §7): tokens evolve across depth, layer index playing the role
// of time. Per layer, the criterion of the token-dynamics paper predicts from the weights whether
// tokens converge to zero or diverge; along the probe text, every token's norm across the layers
// shows what the checkpoint actually does; and each token gets the importance score of
// docs/numbers.md §7(d).
#pragma once

#include <string>
#include <vector>

#include "analysis/selective_layer.hpp"
#include "analysis/token_criterion.hpp"

namespace ssmscope::analysis {

enum class TokenBehaviour { Converging, Bounded, Diverging };
const char* to_string(TokenBehaviour b);

struct TokenTrajectories {
    Matrix norms;                    // L x (n_layer + 1): ||x_i^l||, the residual stream
    std::vector<double> log_growth;  // per token: least-squares slope of log ||x_i^l|| over l
    std::vector<TokenBehaviour> behaviour;
    // A token converges (diverges) when its fitted log norm falls (rises) by more than log 2 over
    // the depth: |slope| n_layer > log 2.
    double threshold = 0;
    Index converging = 0, bounded = 0, diverging = 0;
};

// norms: L x (n_layer + 1), every token's residual-stream norm at each depth
// (ProbeTrace::hidden_norms).
TokenTrajectories token_trajectories(const Matrix& norms);

struct LayerTokenDynamics {
    std::vector<TokenCriterion> groups;  // one per group of S_B, S_C
    std::string not_applicable;          // why there is no criterion (b or c is fixed)
    // Divergent when a group is, convergent when every group is, static otherwise.
    TokenRegime predicted = TokenRegime::Static;
    // Importance of each token (docs/numbers.md §7(d)): k' (S_Δ x_l + b_Δ), the pre-softplus step
    // that sets how fast the token diverges. Without a learned k (no Mamba checkpoint carries one),
    // k is the uniform average over the units.
    std::vector<double> importance;
};

LayerTokenDynamics layer_token_dynamics(const SelectiveLayer& layer);

}  // namespace ssmscope::analysis
