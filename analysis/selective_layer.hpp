// One selective SSM layer of a checkpoint as analysis/ sees it: plain double matrices that model/
// fills from the weights and from a forward pass over a probe text of L tokens.
//
// A "unit" is one channel (Mamba, SC-, SO-Mamba) or one head (Mamba-2, ST-Mamba-2). Frozen at token
// t, every unit is the single-input single-output system
//     h' = A h + b_t u,   y = c_t h        (N states)
// whose A is fixed and whose b_t, c_t (and step Δ_t) the token selects. Units of a head-based layer
// share b_t and c_t within a group; a Mamba-1 layer has one group for all channels.
#pragma once

#include <complex>
#include <string>
#include <vector>

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

enum class StateForm {
    Diagonal,   // Mamba: A = diag(a_u), a: units x N
    Scalar,     // Mamba-2: A = a_u I_N, a: units x 1
    Companion,  // SC-Mamba, ST-Mamba-2: A = companion(a_u), a_u = coefficients (canonical.hpp)
    CompanionTransposed,  // SO-Mamba: A = companion(a_u)'
};
const char* to_string(StateForm f);

struct SelectiveLayer {
    int index = 0;                      // layer index in the model
    std::string unit_name = "channel";  // "channel" or "head", for messages
    StateForm form = StateForm::Diagonal;
    // How the layer discretises: Ā = exp(Δ A) always; B̄ = Δ b (Euler, as the Mamba reference
    // kernels do) or the exact zero-order hold Δ φ1(Δ A) b (our companion forms).
    bool exact_zoh = false;
    Index n = 0;       // states per unit
    Matrix a;          // the continuous A of each unit, see StateForm
    Matrix delta;      // L x units, Δ_t >= 0
    Matrix delta_raw;  // L x units, the step before its softplus
    // b_t and c_t of each group: L x N. A fixed vector (e_N) is one group whose rows are all e_N.
    std::vector<Matrix> B, C;
    bool b_fixed = false, c_fixed = false;
    // The token-dynamics weights of docs/numbers.md §7(b): b_t = S_B x_t, c_t = S_C x_t for the
    // token x_t the theory follows, per group (N x d_in). Empty when b or c is fixed, where the
    // criterion does not apply, or when b_t, c_t are not linear in the token (then
    // nonlinear_projections says why).
    std::vector<Matrix> S_B, S_C;
    std::string nonlinear_projections;

    Index units() const { return a.rows(); }
    Index tokens() const { return delta.rows(); }
    Index b_group(Index unit) const { return unit * static_cast<Index>(B.size()) / units(); }
    Index c_group(Index unit) const { return unit * static_cast<Index>(C.size()) / units(); }

    // A is diagonal (Mamba) or scalar (Mamba-2): then diagonal(unit) is its diagonal (N).
    bool diagonal_a() const { return form == StateForm::Diagonal || form == StateForm::Scalar; }
    Vector diagonal(Index unit) const;
    Matrix A(Index unit) const;               // N x N, continuous
    Vector b(Index unit, Index token) const;  // N
    Vector c(Index unit, Index token) const;  // N (the row c_t as a column)
    // The eigenvalues of A of one unit (closed forms for the diagonal forms, a balanced Schur
    // factorisation for companion matrices).
    std::vector<std::complex<double>> eigenvalues(Index unit) const;

    // Throws InputError naming the layer and what is wrong: sizes that do not fit, a non-finite
    // value (naming the unit and token), a negative step Δ.
    void validate() const;
};

}  // namespace ssmscope::analysis
