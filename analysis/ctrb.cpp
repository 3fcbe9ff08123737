#include "analysis/ctrb.hpp"

namespace ssmscope::analysis {

Matrix ctrb(const Matrix& A, const Matrix& B) {
    const Index n = A.rows(), m = B.cols();
    Matrix K(n, n * m);
    if (n == 0 || m == 0)
        return K;
    K.leftCols(m) = B;
    for (Index k = 1; k < n; ++k)
        K.middleCols(k * m, m).noalias() = A * K.middleCols((k - 1) * m, m);
    return K;
}

Matrix obsv(const Matrix& A, const Matrix& C) {
    return ctrb(A.transpose(), C.transpose()).transpose();
}

}  // namespace ssmscope::analysis
