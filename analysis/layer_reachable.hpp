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
    // Relative tolerance, max(N, T) eps unless given: that of an SVD of the N x T matrix R. Its
    // singular values are computed as those of the N x N triangular factor of R' = QS (the same
    // values: R = S'Q'), and the rank and the gap are decided on them exactly as svd_rank(R)
    // would decide, so tol and unit_gap mean what they did for the SVD of R.
    double tol = 0;
};

LayerReachable layer_reachable(const SelectiveLayer& layer, std::optional<double> tol = {});

// R of one unit (N x T).
Matrix reachability_matrix(const SelectiveLayer& layer, Index unit);

// The singular values of R of one unit, descending (min(N, T) of them): by a QR of R' and the SVD
// of its N x N triangular factor when T > N, an O(T N^2) factorisation instead of an SVD of R.
Vector reachable_singular_values(const SelectiveLayer& layer, Index unit);

}  // namespace ssmscope::analysis
