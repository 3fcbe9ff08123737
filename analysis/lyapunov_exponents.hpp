// Lyapunov exponents of a linear time-varying recurrence h_t = A_t h_{t-1}, t = 1..T:
//     lambda_i = lim_{T->inf} (1/T) log sigma_i(A_T ... A_1)        (per step)
// the exponential growth rates of perturbations of the state, as in the stability analysis of
// the selective scan (d h_t / d h_{t-1} = A_t). lambda_max < 0: deviations die out exponentially.
//
// Over a finite T the QR method approaches the limit with an O(1/T) transient that depends on the
// initial directions; the closed form for diagonal recurrences has none.
#pragma once

#include <functional>
#include <vector>

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

// QR (Benettin) method. The product A_T ... A_1 itself is useless numerically: it over- or
// underflows, and its columns all turn towards the most expanding direction, so rounding hides
// every exponent but the largest. Re-orthonormalising after each step keeps them apart:
//     Q_0 = I,  A_t Q_{t-1} = Q_t R_t  (Householder, diag R_t >= 0),
//     lambda_i ~ (1/T) sum_t log R_t(i,i),
// and sum_t log R_t(i,i) is exactly the log of the i-th diagonal entry of the R factor of the
// product, so the sum of the estimates is (1/T) log |det(A_T ... A_1)|.
//
// step_matrix(t, A_t) is called for t = 1..steps in order, with A_t an n x n zero matrix to fill
// (or to assign). Returns the exponents in descending order. A step whose R factor has an exact
// zero on its diagonal (e.g. a zero column of A_1, or A_t = 0) gives -infinity for that exponent,
// never NaN; a merely ill-conditioned one gives a large negative finite value.
// Throws InputError for n < 1, steps < 1, or an A_t that is not n x n or not finite (naming t).
Vector lyapunov_exponents(Index n, Index steps,
                          const std::function<void(Index t, Matrix& A_t)>& step_matrix);

// The same with the matrices given: steps[t-1] is A_t, n is the size of steps[0].
Vector lyapunov_exponents(const std::vector<Matrix>& steps);

// Closed form for diagonal recurrences (Mamba: A_t = exp(Delta_t A), log|A_t(i,i)| =
// Delta_t * A_ii). log_abs_diag is T x n with entry (t, i) = log|A_t(i,i)|. A product of diagonal
// matrices is diagonal, and the singular values of a diagonal matrix are the moduli of its
// entries, so sigma_i(A_T ... A_1) are the |prod_t A_t(i,i)| and the finite-T exponents are the
// column means, exactly (no transient). Returned in descending order; an entry -inf (a zero on
// the diagonal) gives -inf. Throws InputError when log_abs_diag is empty or holds NaN or +inf.
Vector lyapunov_exponents_diagonal(const Matrix& log_abs_diag);

}  // namespace ssmscope::analysis
