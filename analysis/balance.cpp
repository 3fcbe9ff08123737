#include "analysis/balance.hpp"

#include <algorithm>
#include <stdexcept>

#include "analysis/slicot.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

BalancedPair balance(const Matrix& A, const Matrix& B) {
    const int n = static_cast<int>(A.rows()), m = static_cast<int>(B.cols()), p = 0, one = 1;
    BalancedPair r{A, B, Vector::Ones(n)};
    if (n == 0)
        return r;
    const int ld = n;
    Matrix b = Matrix::Zero(n, std::max(1, m)), c = Matrix::Zero(1, n);
    if (m > 0)
        b.leftCols(m) = B;
    double maxred = 0.0;  // SLICOT's default bound on the norm reduction
    int info = 0;
    fortran::tb01id_(m > 0 ? "B" : "N", &n, &m, &p, &maxred, r.A.data(), &ld, b.data(), &ld,
                     c.data(), &one, r.scale.data(), &info, 1);
    if (info != 0)
        throw std::runtime_error(str("SLICOT TB01ID failed (info ", info, ")"));
    r.B = b.leftCols(m);
    return r;
}

}  // namespace ssmscope::analysis
