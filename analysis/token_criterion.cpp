#include "analysis/token_criterion.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include "base/error.hpp"
#include "analysis/schur.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

const char* to_string(TokenRegime r) {
    switch (r) {
        case TokenRegime::Convergent:
            return "convergent";
        case TokenRegime::Divergent:
            return "divergent";
        case TokenRegime::Static:
            return "static";
    }
    return "?";
}

std::ostream& operator<<(std::ostream& os, TokenRegime r) {
    return os << to_string(r);
}

namespace {

double largest_symmetric_eigenvalue(const Matrix& S) {
    return Eigen::SelfAdjointEigenSolver<Matrix>(S, Eigen::EigenvaluesOnly)
        .eigenvalues()
        .maxCoeff();
}

// max eig((M + M')/2) for M = S_C' S_B. With [S_B; S_C]' = Q [R_B R_C] (thin QR, Q: D x 2N with
// orthonormal columns), M = Q R_C R_B' Q', so the symmetric part is Q G Q' with the 2N x 2N
// G = (R_C R_B' + R_B R_C')/2: its eigenvalues are those of G plus D - 2N zeros. Q is never needed.
double max_symmetric_eigenvalue(const Matrix& S_B, const Matrix& S_C) {
    const Index n = S_B.rows(), d = S_B.cols();
    if (d <= 2 * n) {
        const Matrix M = S_C.transpose() * S_B;
        return largest_symmetric_eigenvalue(0.5 * (M + M.transpose()));
    }
    Matrix W(d, 2 * n);
    W << S_B.transpose(), S_C.transpose();
    const Eigen::HouseholderQR<Matrix> qr(W);
    const Matrix R = qr.matrixQR().topRows(2 * n).triangularView<Eigen::Upper>();
    const Matrix RcRb = R.rightCols(n) * R.leftCols(n).transpose();
    return std::max(largest_symmetric_eigenvalue(0.5 * (RcRb + RcRb.transpose())), 0.0);
}

}  // namespace

TokenCriterion token_criterion(const Matrix& S_B, const Matrix& S_C) {
    if (S_B.rows() != S_C.rows() || S_B.cols() != S_C.cols())
        throw InputError(str("token_criterion: S_B is ", S_B.rows(), " x ", S_B.cols(),
                             " but S_C is ", S_C.rows(), " x ", S_C.cols(),
                             ", expected the same N x D shape"));
    if (S_B.size() == 0)
        throw InputError(str("token_criterion: S_B and S_C are ", S_B.rows(), " x ", S_B.cols(),
                             ", expected N, D >= 1"));
    if (!S_B.allFinite())
        throw InputError("token_criterion: S_B has a non-finite entry", "S_B");
    if (!S_C.allFinite())
        throw InputError("token_criterion: S_C has a non-finite entry", "S_C");

    const Index n = S_B.rows(), d = S_B.cols();
    TokenCriterion c;
    c.threshold = static_cast<double>(std::max(n, d)) * std::numeric_limits<double>::epsilon() *
                  S_B.norm() * S_C.norm();
    // eig(XY) and eig(YX) share their nonzero eigenvalues: decompose the smaller product.
    const Matrix small = d <= n ? Matrix(S_C.transpose() * S_B) : Matrix(S_B * S_C.transpose());
    for (const auto& l : real_schur(small).eigenvalues) {
        if (!(std::abs(l) > c.threshold))
            continue;
        c.nonzero_eigenvalues.push_back(l);
        c.positive += l.real() > c.threshold;
        c.negative += l.real() < -c.threshold;
    }
    std::sort(c.nonzero_eigenvalues.begin(), c.nonzero_eigenvalues.end(), [](auto a, auto b) {
        return a.real() != b.real() ? a.real() > b.real() : a.imag() > b.imag();
    });
    const auto nonzero = static_cast<int>(c.nonzero_eigenvalues.size());
    c.fraction_positive = nonzero > 0 ? static_cast<double>(c.positive) / nonzero : 0.0;
    c.max_symmetric_eigenvalue = max_symmetric_eigenvalue(S_B, S_C);
    c.predicted = c.positive > 0                         ? TokenRegime::Divergent
                  : nonzero > 0 && c.negative == nonzero ? TokenRegime::Convergent
                                                         : TokenRegime::Static;
    return c;
}

}  // namespace ssmscope::analysis
