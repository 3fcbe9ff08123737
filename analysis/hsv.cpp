#include "analysis/hsv.hpp"

#include <algorithm>
#include <stdexcept>

#include "analysis/slicot.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

std::optional<Vector> hsv(const Gramian& wc, const Gramian& wo) {
    if (!wc.defined() || !wo.defined())
        return std::nullopt;
    const int n = static_cast<int>(wc.R.rows());
    if (n == 0)
        return Vector();
    // Ro Rc is upper triangular: its singular values come from a bidiagonal QR iteration without
    // a general SVD (the singular values of a bidiagonal matrix to high relative accuracy).
    Matrix product = wo.R.triangularView<Eigen::Upper>() * wc.R;
    Vector sv(n);
    const int ldwork = 5 * n + 64 * n, one = 1;
    Vector dwork(ldwork);
    double q = 0.0;
    int info = 0;
    fortran::mb03ud_("N", "N", &n, product.data(), &n, &q, &one, sv.data(), dwork.data(), &ldwork,
                     &info, 1, 1);
    if (info != 0)
        throw std::runtime_error(str("SLICOT MB03UD failed (info ", info, ")"));
    return sv;
}

std::optional<Vector> hsv(const StateSpace& sys) {
    const RealSchur schur = real_schur(sys.A);
    return hsv(gram(schur, sys.B, GramKind::Controllability, sys.is_discrete()),
               gram(schur, sys.C, GramKind::Observability, sys.is_discrete()));
}

}  // namespace ssmscope::analysis
