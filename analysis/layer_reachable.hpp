// The subspace a selective layer can reach over the whole probe text: for each unit the rank of
//     R = [Φ(T,1) B̄_1, Φ(T,2) B̄_2, ..., B̄_T],   Φ(T,t) = Ā_T ... Ā_(t+1),
// whose range is where the state h_T can be steered by the inputs. A frozen Mamba-2 head reaches
// one direction at each token, but the sequence of b_t can span all N.
#pragma once

#include <optional>
#include <vector>

#include "analysis/rank.hpp"
#include "analysis/selective_layer.hpp"

namespace ssmscope::analysis {

struct LayerReachable {
    std::vector<int> unit_rank;
    std::vector<double> unit_gap;  // singular-value gap of each decision
    int min = 0, median = 0, max = 0;
    double fraction_full = 0;
    double tol = 0;  // relative SVD tolerance, max(N, T) eps unless given
};

LayerReachable layer_reachable(const SelectiveLayer& layer, std::optional<double> tol = {});

// R of one unit (N x T).
Matrix reachability_matrix(const SelectiveLayer& layer, Index unit);

}  // namespace ssmscope::analysis
