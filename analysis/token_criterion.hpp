// Convergence or divergence of the tokens of a selective SSM layer in the depth limit: the
// criterion on the input/output projection matrix M = S_C' S_B (D x D) of a layer whose
// selective input and output vectors are B_l = S_B x_l and C_l = S_C x_l (S_B, S_C: N x D).
//
// In the continuous-depth model (one S6 layer with its residual, the same weights at every depth)
//     dx_i/dt = sum_{j<=i} (x_i' M x_j) diag(Delta_j exp(-a sum_{k=j+1..i} Delta_k)) x_j,
// S_B and S_C enter only through M, and Delta > 0 never changes a sign. For D = 1 the dichotomy is
// proved: mu = M < 0 drives every token to 0 (at the algebraic rate O(1/sqrt t)), mu > 0 makes
// every token with a nonzero start diverge. For D > 1 the rule used here is the working rule, not
// a theorem: convergent iff every nonzero eigenvalue of M has negative real part, divergent if
// any has positive real part. The symmetric part decides the first token exactly:
// d|x_1|^2/dt = 2 (x_1' M x_1)(x_1' diag(Delta_1) x_1), so x_1 shrinks from every start iff
// (M + M')/2 is negative definite.
//
// rank M <= N, so for D > N M always has D - N zero eigenvalues: what characterises a layer is the
// sign pattern of the nonzero spectrum.
#pragma once

#include <complex>
#include <iosfwd>
#include <vector>

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

enum class TokenRegime {
    Convergent,  // every nonzero eigenvalue of M in the open left half-plane
    Divergent,   // some eigenvalue of M in the open right half-plane
    Static,      // M = 0 (no nonzero eigenvalue): the tokens do not move; see TokenCriterion
};

const char* to_string(TokenRegime r);
std::ostream& operator<<(std::ostream& os, TokenRegime r);

struct TokenCriterion {
    // The eigenvalues of M that count as nonzero: |lambda| > threshold. Descending real part,
    // then imaginary part.
    std::vector<std::complex<double>> nonzero_eigenvalues;
    // tol * ||S_B||_F ||S_C||_F with tol = max(N, D) eps. ||S_B||_F ||S_C||_F bounds ||M||_2 and
    // ||S_B S_C'||_2, and max(N, D) eps times it bounds the backward error of forming the product
    // (inner products of length D) and of the eigensolver (order <= N): a zero eigenvalue moves by
    // that times its condition number, so well-conditioned zeros stay below. Relative to the scale
    // of the factors rather than to max|lambda|, so that an M whose spectrum is all rounding noise
    // is still recognised as zero. Not covered: a zero eigenvalue in a Jordan block of size k is
    // scattered to about eps^(1/k) ||M|| by any eigensolver and counts as nonzero.
    double threshold = 0.0;
    // Nonzero eigenvalues with real part > threshold / < -threshold. Those within threshold of the
    // imaginary axis count in neither.
    int positive = 0;
    int negative = 0;
    double fraction_positive = 0.0;  // positive / nonzero_eigenvalues.size(), 0 if there are none
    // Largest eigenvalue of the symmetric part (M + M')/2. It is >= 0 whenever D > 2N, since the
    // symmetric part vanishes outside the span of the rows of S_B and S_C (dimension <= 2N).
    double max_symmetric_eigenvalue = 0.0;
    // Convergent / Divergent as above. Static when no eigenvalue counts as nonzero, and also in
    // the degenerate case of no positive real part but some nonzero eigenvalue on the imaginary
    // axis (e.g. a skew-symmetric M), where the rule predicts neither convergence nor divergence.
    TokenRegime predicted = TokenRegime::Static;
};

// S_B and S_C: N x D, of the same shape, finite. The nonzero eigenvalues of M = S_C' S_B (D x D)
// are those of S_B S_C' (N x N), which is what is decomposed when D > N. Throws InputError when
// the shapes differ, are empty, or an entry is not finite.
TokenCriterion token_criterion(const Matrix& S_B, const Matrix& S_C);

}  // namespace ssmscope::analysis
