#include "analysis/state_space.hpp"

#include <cmath>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

namespace {
std::string dims(const Matrix& M) {
    return str(M.rows(), "x", M.cols());
}

// Every quantity analysis/ reports is meaningless once a NaN or Inf enters, so refuse it here,
// where the message can still name the matrix and the entry (1-based, as the CSV files count).
void require_finite(const Matrix& M, const char* name) {
    for (Index j = 0; j < M.cols(); ++j)
        for (Index i = 0; i < M.rows(); ++i)
            if (!std::isfinite(M(i, j)))
                throw InputError(str(name, " has a non-finite entry ", M(i, j), " at row ", i + 1,
                                     ", column ", j + 1),
                                 name);
}
}  // namespace

StateSpace make_ss(Matrix A, Matrix B, Matrix C, Matrix D, double dt) {
    if (A.rows() != A.cols())
        throw InputError(str("A must be square, got ", dims(A)), "A");
    const Index n = A.rows();
    // An absent B or C is an empty matrix; give it the shape that fits A.
    if (B.size() == 0)
        B.resize(n, 0);
    if (C.size() == 0)
        C.resize(0, n);
    if (B.rows() != n)
        throw InputError(
            str("B must have n = ", n, " rows to fit A (", dims(A), "), got ", dims(B)), "B");
    if (C.cols() != n)
        throw InputError(
            str("C must have n = ", n, " columns to fit A (", dims(A), "), got ", dims(C)), "C");
    if (D.size() == 0)
        D = Matrix::Zero(C.rows(), B.cols());
    if (D.rows() != C.rows() || D.cols() != B.cols())
        throw InputError(str("D must be p x m = ", C.rows(), "x", B.cols(), " to fit C (", dims(C),
                             ") and B (", dims(B), "), got ", dims(D)),
                         "D");
    if (!std::isfinite(dt) || dt < 0.0)
        throw InputError(
            str("the sample time dt must be 0 (continuous) or a positive number, got ", dt), "dt");
    require_finite(A, "A");
    require_finite(B, "B");
    require_finite(C, "C");
    require_finite(D, "D");
    return StateSpace{std::move(A), std::move(B), std::move(C), std::move(D), dt};
}

}  // namespace ssmscope::analysis
