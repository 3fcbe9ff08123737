#include "analysis/pbh.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/SVD>

#include "analysis/balance.hpp"
#include "analysis/rank.hpp"
#include "analysis/schur.hpp"
#include "analysis/tolerance.hpp"

namespace ssmscope::analysis {

namespace {

using Complex = std::complex<double>;
using CMatrix = Eigen::MatrixXcd;

struct Cluster {
    Complex mean;
    int count;
};

// Computed copies of an eigenvalue of multiplicity c scatter by up to about eps^(1/c) ||A|| (a
// Jordan block of size c), so a triple eigenvalue with a 2x2 block can come out as a pair and a
// single further apart than sqrt(eps) ||A||. Clusters are therefore merged while two of them lie
// within eps^(1/c) ||A|| of each other, c their joint size (capped at 4: larger blocks are not
// met in practice, and eps^(1/16) would merge eigenvalues a tenth of ||A|| apart). Merging too
// much is harmless: the test below charges a cluster's mean its own backward error, whatever the
// cluster's spread.
std::vector<Cluster> cluster(const std::vector<Complex>& eig, double scale) {
    struct Group {
        Complex sum;
        int count;
        Complex mean() const { return sum / static_cast<double>(count); }
    };
    std::vector<Group> groups;
    for (auto z : eig)
        groups.push_back({z, 1});
    const auto reach = [&](int c) {
        return std::pow(std::numeric_limits<double>::epsilon(), 1.0 / std::min(c, 4)) * scale;
    };
    for (bool merged = true; merged;) {
        merged = false;
        for (std::size_t i = 0; i < groups.size(); ++i) {
            for (std::size_t j = i + 1; j < groups.size();) {
                if (std::abs(groups[i].mean() - groups[j].mean()) <=
                    reach(groups[i].count + groups[j].count)) {
                    groups[i].sum += groups[j].sum;
                    groups[i].count += groups[j].count;
                    groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(j));
                    merged = true;
                } else {
                    ++j;
                }
            }
        }
    }
    std::vector<Cluster> out;
    for (const Group& g : groups)
        out.push_back({g.mean(), g.count});
    return out;
}

// Singular values, descending, of M - mu I (square part) and of [M - mu I, B]: real arithmetic
// for a real mu (every eigenvalue of a diagonal A), at about a tenth of the complex SVD's cost.
struct ShiftedValues {
    Vector shifted, pencil;
};
ShiftedValues shifted_values(const Matrix& A, const Matrix& B, Complex mu) {
    const Index n = A.rows(), m = B.cols();
    ShiftedValues v;
    if (mu.imag() == 0.0) {
        Matrix M(n, n + m);
        M << A, B;
        M.leftCols(n).diagonal().array() -= mu.real();
        v.pencil = singular_values(M);
        v.shifted = singular_values(M.leftCols(n));
    } else {
        CMatrix M(n, n + m);
        M.leftCols(n) = A.cast<Complex>();
        M.rightCols(m) = B.cast<Complex>();
        M.leftCols(n).diagonal().array() -= mu;
        v.pencil = Eigen::JacobiSVD<CMatrix>(M).singularValues();
        v.shifted = Eigen::JacobiSVD<CMatrix>(M.leftCols(n)).singularValues();
    }
    return v;
}

}  // namespace

PbhReport pbh_ctrb(const Matrix& A_in, const Matrix& B_in, std::optional<double> tol) {
    const Index n = A_in.rows(), m = B_in.cols();
    PbhReport r;
    r.tol = tol.value_or(default_structural_tol());
    r.rank = static_cast<int>(n);
    if (n == 0)
        return r;
    // Balanced, eigenvalues are more accurate and the residuals compare like with like.
    const BalancedPair bal = balance(A_in, B_in);
    const Matrix& A = bal.A;
    const Matrix& B = bal.B;
    Matrix AB(n, n + m);
    AB << A, B;
    const double norm = AB.norm();
    for (const Cluster& c : cluster(real_schur(A).eigenvalues, std::max(A.norm(), 1e-300))) {
        const ShiftedValues v = shifted_values(A, B, c.mean);
        // The mean mu of a cluster is only near an eigenvalue: it is an exact eigenvalue of
        // geometric multiplicity d of some A + E with ||E|| = sigma_(n-d+1)(A - mu I) (the d-th
        // smallest singular value), and E moves the singular values of [A - mu I, B] by at most
        // that. So d modes at mu are uncontrollable when the d-th smallest singular value of the
        // pencil is within tol ||[A, B]|| plus that backward error. (A cluster's spread is no
        // measure of this: the mean of every copy of a multiple eigenvalue is accurate to
        // rounding however far the copies scatter.)
        int deficiency = 0;
        while (deficiency < c.count) {
            const Index k = n - 1 - deficiency;
            if (v.pencil(k) > r.tol * norm + v.shifted(k))
                break;
            ++deficiency;
        }
        r.modes.push_back({c.mean, c.count, norm > 0.0 ? v.pencil(n - 1) / norm : 0.0, deficiency});
        r.rank -= deficiency;
    }
    return r;
}

PbhReport pbh_obsv(const Matrix& A, const Matrix& C, std::optional<double> tol) {
    return pbh_ctrb(A.transpose(), C.transpose(), tol);
}

}  // namespace ssmscope::analysis
