#include "analysis/staircase.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <Eigen/SVD>

#include "analysis/balance.hpp"
#include "analysis/slicot.hpp"
#include "base/str.hpp"
#include "analysis/tolerance.hpp"

namespace ssmscope::analysis {

namespace {

double spectral_norm(const Matrix& M) {
    return M.size() == 0 ? 0.0 : Eigen::JacobiSVD<Matrix>(M).singularValues()(0);
}

double smallest_singular_value(const Matrix& M) {
    if (M.size() == 0)
        return std::numeric_limits<double>::infinity();
    const Vector s = Eigen::JacobiSVD<Matrix>(M).singularValues();
    return s(s.size() - 1);
}

// Measures how clear-cut the staircase decisions were, from the (balanced) pair it ran on and Z.
void add_diagnostics(Staircase& st, const Matrix& A, const Matrix& B) {
    const Matrix Ac = st.Z.transpose() * A * st.Z;
    const Matrix Bc = st.Z.transpose() * B;
    const double a_norm = A.norm(), b_norm = B.norm();
    const auto rel = [](double x, double norm) { return norm > 0.0 ? x / norm : 0.0; };
    const Index n = A.rows(), r = st.rank;

    double kept = std::numeric_limits<double>::infinity();
    Index row = 0, prev_col = 0, prev_size = 0;
    for (std::size_t k = 0; k < st.block_sizes.size() && row < r; ++k) {
        const Index size = st.block_sizes[k];
        if (k == 0) {
            kept = std::min(kept, rel(smallest_singular_value(Bc.topRows(size)), b_norm));
        } else {
            kept = std::min(
                kept,
                rel(smallest_singular_value(Ac.block(row, prev_col, size, prev_size)), a_norm));
        }
        prev_col = row;
        prev_size = size;
        row += size;
    }
    double dropped = 0.0;
    if (r < n) {
        dropped = std::max(rel(spectral_norm(Bc.bottomRows(n - r)), b_norm),
                           rel(spectral_norm(Ac.bottomLeftCorner(n - r, r)), a_norm));
    }
    st.has_diagnostics = true;
    st.kept_min = r > 0 ? kept : 0.0;
    st.dropped_max = dropped;
    st.gap = dropped > 0.0 ? st.kept_min / dropped : std::numeric_limits<double>::infinity();
}

}  // namespace

Staircase ctrb_staircase(const Matrix& A, const Matrix& B, std::optional<double> tol,
                         bool diagnostics) {
    const int n = static_cast<int>(A.rows()), m = static_cast<int>(B.cols());
    Staircase st;
    st.tol = tol.value_or(default_structural_tol());
    if (n == 0)
        return st;

    const BalancedPair bal = balance(A, B);
    Matrix a = bal.A;
    Matrix b = Matrix::Zero(n, std::max(1, m));  // SLICOT needs a valid array even for m = 0
    if (m > 0)
        b.leftCols(m) = bal.B;
    const int ld = n;
    std::vector<int> nblk(n), iwork(std::max(1, m));
    Vector tau(n);
    const char* jobz = diagnostics ? "I" : "N";
    const int ldz = diagnostics ? n : 1;
    st.Z.resize(ldz, diagnostics ? n : 1);
    const int ldwork = std::max({1, n, 3 * m}) * 32;
    Vector dwork(ldwork);
    int ncont = 0, indcon = 0, info = 0;
    fortran::ab01nd_(jobz, &n, &m, a.data(), &ld, b.data(), &ld, &ncont, &indcon, nblk.data(),
                     st.Z.data(), &ldz, tau.data(), &st.tol, iwork.data(), dwork.data(), &ldwork,
                     &info, 1);
    if (info != 0)
        throw std::runtime_error(str("SLICOT AB01ND failed (info ", info, ")"));
    st.rank = ncont;
    st.block_sizes.assign(nblk.begin(), nblk.begin() + indcon);
    if (diagnostics) {
        add_diagnostics(st, bal.A, bal.B);
    } else {
        st.Z.resize(0, 0);
    }
    return st;
}

Staircase obsv_staircase(const Matrix& A, const Matrix& C, std::optional<double> tol,
                         bool diagnostics) {
    return ctrb_staircase(A.transpose(), C.transpose(), tol, diagnostics);
}

}  // namespace ssmscope::analysis
