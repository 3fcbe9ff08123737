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
    double radius;
};

// Computed copies of a repeated eigenvalue scatter by up to about sqrt(eps) * ||A|| (a 2x2 Jordan
// block); treat eigenvalues that close as one and test PBH once at their mean.
std::vector<Cluster> cluster(std::vector<Complex> eig, double scale) {
    const double reach = std::sqrt(std::numeric_limits<double>::epsilon()) * scale;
    std::vector<Cluster> out;
    std::vector<bool> used(eig.size(), false);
    for (std::size_t i = 0; i < eig.size(); ++i) {
        if (used[i])
            continue;
        std::vector<Complex> members{eig[i]};
        used[i] = true;
        for (std::size_t j = i + 1; j < eig.size(); ++j) {
            if (used[j])
                continue;
            const bool near = std::any_of(members.begin(), members.end(),
                                          [&](Complex m) { return std::abs(m - eig[j]) <= reach; });
            if (near) {
                members.push_back(eig[j]);
                used[j] = true;
            }
        }
        Complex mean = 0.0;
        for (auto m : members)
            mean += m;
        mean /= static_cast<double>(members.size());
        double radius = 0.0;
        for (auto m : members)
            radius = std::max(radius, std::abs(m - mean));
        out.push_back({mean, static_cast<int>(members.size()), radius});
    }
    return out;
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
    CMatrix M(n, n + m);
    M.rightCols(m) = B.cast<Complex>();
    Matrix Mr = AB;
    for (const Cluster& c : cluster(real_schur(A).eigenvalues, std::max(A.norm(), 1e-300))) {
        // A real eigenvalue (every one of a diagonal A) gives a real [A - lambda I, B]: the same
        // singular values from a real SVD (LAPACK's), at about a tenth of the complex one's cost.
        Vector s;
        if (c.mean.imag() == 0.0) {
            Mr.leftCols(n) = A;
            Mr.leftCols(n).diagonal().array() -= c.mean.real();
            s = singular_values(Mr);
        } else {
            M.leftCols(n) = A.cast<Complex>();
            M.leftCols(n).diagonal().array() -= c.mean;
            s = Eigen::JacobiSVD<CMatrix>(M).singularValues();
        }
        // At the cluster mean instead of each eigenvalue, a zero singular value moves by up to
        // the cluster radius.
        const double cut = r.tol * norm + c.radius;
        int deficiency = 0;
        for (Index i = 0; i < s.size(); ++i)
            deficiency += s(i) <= cut ? 1 : 0;
        deficiency = std::min(deficiency, c.count);
        r.modes.push_back({c.mean, c.count, norm > 0.0 ? s(s.size() - 1) / norm : 0.0, deficiency});
        r.rank -= deficiency;
    }
    return r;
}

PbhReport pbh_obsv(const Matrix& A, const Matrix& C, std::optional<double> tol) {
    return pbh_ctrb(A.transpose(), C.transpose(), tol);
}

}  // namespace ssmscope::analysis
