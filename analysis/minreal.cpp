#include "analysis/minreal.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "analysis/slicot.hpp"
#include "base/str.hpp"
#include "analysis/tolerance.hpp"

namespace ssmscope::analysis {

Minreal minreal(const StateSpace& sys, std::optional<double> tol) {
    const int n = static_cast<int>(sys.n()), m = static_cast<int>(sys.m()),
              p = static_cast<int>(sys.p());
    Minreal r;
    r.tol = tol.value_or(default_structural_tol());
    const int mp = std::max({1, m, p});
    const int lda = std::max(1, n);
    // TB01PD uses the arrays past B's and C's own columns and rows as workspace.
    Matrix a = sys.A, b = Matrix::Zero(lda, mp), c = Matrix::Zero(mp, std::max(1, n));
    b.topLeftCorner(n, m) = sys.B;
    c.topLeftCorner(p, n) = sys.C;
    std::vector<int> iwork(n + mp);
    const int ldwork = std::max(1, n + std::max(n, 3 * mp)) * 32;
    Vector dwork(ldwork);
    int nr = 0, info = 0;
    fortran::tb01pd_("M", "S", &n, &m, &p, a.data(), &lda, b.data(), &lda, c.data(), &mp, &nr,
                     &r.tol, iwork.data(), dwork.data(), &ldwork, &info, 1, 1);
    if (info != 0)
        throw std::runtime_error(str("SLICOT TB01PD failed (info ", info, ")"));
    r.order = nr;
    r.sys = StateSpace{a.topLeftCorner(nr, nr), b.topLeftCorner(nr, m), c.topLeftCorner(p, nr),
                       sys.D, sys.dt};
    return r;
}

}  // namespace ssmscope::analysis
