// Controllability and observability Gramians (python-control's gram), by Hammarling's
// square-root method (SLICOT SB03OD), which returns a Cholesky factor directly:
//   continuous  A Wc + Wc A' + B B' = 0,    A' Wo + Wo A + C' C = 0
//   discrete    A Wc A' - Wc + B B' = 0,    A' Wo A - Wo + C' C = 0
// The infinite-horizon Gramian exists only for an asymptotically stable A; for any other A it is
// reported as undefined, with the reason, never as numbers.
#pragma once

#include <optional>
#include <string>

#include "analysis/schur.hpp"
#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

enum class GramKind { Controllability, Observability };

struct Gramian {
    std::optional<Matrix> W;  // nullopt: undefined
    // Upper triangular Cholesky factor: Wc = R R' (controllability), Wo = R' R (observability).
    Matrix R;
    std::string undefined_reason;

    bool defined() const { return W.has_value(); }
};

// B_or_C is B (n x m) for the controllability Gramian, C (p x n) for the observability one.
Gramian gram(const Matrix& A, const Matrix& B_or_C, GramKind kind, bool discrete);
Gramian gram(const StateSpace& sys, GramKind kind);

// The same, reusing the (balanced) Schur factorisation of A: one per system serves both.
Gramian gram(const RealSchur& schur, const Matrix& B_or_C, GramKind kind, bool discrete);

// The Gramian of (diag(a), v) with one input (output) vector v, in closed form: the integral
// (sum) of e^(a_i t) v_i v_j e^(a_j t) is
//   continuous  W_ij = v_i v_j / -(a_i + a_j),    discrete  W_ij = v_i v_j / (1 - a_i a_j),
// and for a scalar A = aI that is v v' / -2a (v v' / (1 - a^2)). W is Cauchy-like, so its
// Cholesky factor comes from elimination on the generators v_i (each step multiplies them by
// (a_k - a_i) / -(a_i + a_k), resp. (a_k - a_i) / (1 - a_i a_k)): O(N^2), no cancellation, so
// R to relative accuracy even for clustered a_i, and exact zeros for repeated ones. R has the
// orientation of gram()'s, so hsv() takes it. Undefined, with gram()'s reason, unless stable.
Gramian diagonal_gram(const Vector& a, const Vector& v, GramKind kind, bool discrete);

}  // namespace ssmscope::analysis
