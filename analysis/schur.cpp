#include "analysis/schur.hpp"

#include <algorithm>
#include <stdexcept>

#include "analysis/slicot.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

RealSchur real_schur(const Matrix& A) {
    const int n = static_cast<int>(A.rows());
    RealSchur r{A, Matrix(n, n), Vector::Ones(n), {}, 0.0};
    if (n == 0)
        return r;
    const int ld = std::max(1, n);
    Vector wr(n), wi(n);
    int sdim = 0, info = 0, ilo = 0, ihi = 0;
    fortran::dgebal_("S", &n, r.S.data(), &ld, &ilo, &ihi, r.D.data(), &info, 1);
    if (info != 0)
        throw std::runtime_error(str("balancing failed (DGEBAL info ", info, ")"));
    r.balanced_norm = r.S.norm();
    int lwork = -1;
    double query = 0.0;
    fortran::dgees_("V", "N", nullptr, &n, r.S.data(), &ld, &sdim, wr.data(), wi.data(), r.Q.data(),
                    &ld, &query, &lwork, nullptr, &info, 1, 1);
    lwork = std::max(3 * n, static_cast<int>(query));
    Vector work(lwork);
    fortran::dgees_("V", "N", nullptr, &n, r.S.data(), &ld, &sdim, wr.data(), wi.data(), r.Q.data(),
                    &ld, work.data(), &lwork, nullptr, &info, 1, 1);
    if (info != 0)
        throw std::runtime_error(str("real Schur factorisation failed (DGEES info ", info, ")"));
    r.eigenvalues.reserve(n);
    for (int i = 0; i < n; ++i)
        r.eigenvalues.emplace_back(wr(i), wi(i));
    return r;
}

}  // namespace ssmscope::analysis
