#include "analysis/canonical.hpp"

#include <Eigen/LU>

#include "analysis/ctrb.hpp"
#include "base/error.hpp"
#include "analysis/schur.hpp"
#include "analysis/staircase.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

Matrix companion(const Vector& a) {
    const Index n = a.size();
    Matrix A = Matrix::Zero(n, n);
    if (n == 0)
        return A;
    A.topRightCorner(n - 1, n - 1).setIdentity();
    A.row(n - 1) = -a.transpose();
    return A;
}

namespace {

void check_coefficients(const Vector& a, const Vector& b, const char* who) {
    if (a.size() == 0)
        throw InputError(str(who, ": needs at least one coefficient"));
    if (b.size() != a.size())
        throw InputError(
            str(who, ": numerator has ", b.size(), " coefficients, expected ", a.size()));
}

}  // namespace

StateSpace ccf(const Vector& a, const Vector& b) {
    check_coefficients(a, b, "ccf");
    const Index n = a.size();
    return StateSpace{companion(a), Vector::Unit(n, n - 1), b.transpose(), Matrix::Zero(1, 1), 0.0};
}

// The dual of the controllable form: (A', C', B') realises the transposed, for SISO the same,
// transfer function.
StateSpace ocf(const Vector& a, const Vector& b) {
    check_coefficients(a, b, "ocf");
    const StateSpace c = ccf(a, b);
    return StateSpace{c.A.transpose(), c.C.transpose(), c.B.transpose(), c.D, 0.0};
}

Vector companion_coeffs(const Matrix& A, bool transposed) {
    const Matrix M = transposed ? Matrix(A.transpose()) : A;
    const Index n = M.rows();
    if (M.cols() != n)
        throw InputError("companion_coeffs: A must be square");
    for (Index i = 0; i + 1 < n; ++i)
        for (Index j = 0; j < n; ++j)
            if (M(i, j) != (j == i + 1 ? 1.0 : 0.0))
                throw InputError(str("companion_coeffs: entry (", transposed ? j + 1 : i + 1, ", ",
                                     transposed ? i + 1 : j + 1, ") = ", M(i, j),
                                     " breaks the companion structure"));
    return n > 0 ? Vector(-M.row(n - 1).transpose()) : Vector();
}

Vector poly(const std::vector<std::complex<double>>& r) {
    // c holds the coefficients of prod (s - r_i), highest power first, c[0] = 1.
    std::vector<std::complex<double>> c{1.0};
    for (auto root : r) {
        c.push_back(0.0);
        for (std::size_t k = c.size() - 1; k > 0; --k)
            c[k] -= root * c[k - 1];
    }
    const Index n = static_cast<Index>(r.size());
    Vector a(n);
    for (Index j = 0; j < n; ++j)
        a(j) = c[n - j].real();  // a_j multiplies s^j
    return a;
}

std::vector<std::complex<double>> roots(const Vector& a) {
    return real_schur(companion(a)).eigenvalues;
}

Vector charpoly(const Matrix& A) {
    return poly(real_schur(A).eigenvalues);
}

StateSpace to_ccf(const StateSpace& sys) {
    if (sys.m() != 1)
        throw InputError(str("to_ccf: needs a single-input system, got m = ", sys.m()));
    const Index n = sys.n();
    if (n == 0)
        throw InputError("to_ccf: the system has no states");
    if (ctrb_staircase(sys.A, sys.B, std::nullopt, false).rank != n)
        throw InputError("to_ccf: the system is not controllable");
    const Vector a = charpoly(sys.A);
    const Matrix Ac = companion(a);
    const Matrix Bc = Vector::Unit(n, n - 1);
    const Matrix T = ctrb(sys.A, sys.B) * ctrb(Ac, Bc).inverse();
    return StateSpace{Ac, Bc, sys.C * T, sys.D, sys.dt};
}

}  // namespace ssmscope::analysis
