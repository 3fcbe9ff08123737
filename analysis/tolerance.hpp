// The default relative tolerance of the structural decisions: staircase ranks, PBH, minimal
// order. A quantity counts as zero below tol times the norm it is compared with.
//
// Why sqrt(eps) (1.5e-8, MATLAB's minreal default) and not SLICOT's n^2 eps: a zero block that a
// change of coordinates has filled with rounding errors is amplified by every weak step of the
// staircase before it. On Kalman-decomposed systems behind random similarities (cond(T) < 1e3,
// n = 6..32, a few thousand systems) that noise reached 1e-7 relative at n = 32 and 3e-9 at
// n = 16, while the weakest genuine step was 1e-6; n^2 eps misjudged up to 30 % of the n = 32
// systems and sqrt(eps) none. Ranks of systems whose weakest coupling is below 1.5e-8 of ||A|| are
// tolerance-dependent by nature: pass a smaller tol, and read the reported gaps.
#pragma once

#include <cmath>
#include <limits>

namespace ssmscope::analysis {

inline double default_structural_tol() {
    return std::sqrt(std::numeric_limits<double>::epsilon());
}

}  // namespace ssmscope::analysis
