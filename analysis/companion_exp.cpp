#include "analysis/companion_exp.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <unsupported/Eigen/MatrixFunctions>

#include "analysis/canonical.hpp"
#include "analysis/discretize.hpp"

namespace ssmscope::analysis {

namespace {

double max_col_norm1(const Matrix& X) {
    return X.size() == 0 ? 0.0 : X.cwiseAbs().colwise().sum().maxCoeff();
}

}  // namespace

CompanionExp::CompanionExp(const Vector& a, bool transposed)
    : a_(a), transposed_(transposed), A_(companion(a)) {
    if (transposed_)
        A_.transposeInPlace();
    norm1_ = A_.cwiseAbs().colwise().sum().maxCoeff();
    norm1_t_ = A_.cwiseAbs().rowwise().sum().maxCoeff();
}

void CompanionExp::times(bool transpose, const Matrix& X, Matrix& Y) const {
    // companion(a) =: C has C(i, i+1) = 1 and last row -a'. The operator is C when the layer's A
    // is C and not transposed, or A = C' transposed; C' otherwise.
    const bool is_c = transposed_ == transpose;
    const Index n = a_.size();
    Y.resize(n, X.cols());
    if (is_c) {
        // (C X)(i,:) = X(i+1,:), (C X)(n-1,:) = -a' X.
        Y.topRows(n - 1) = X.bottomRows(n - 1);
        Y.row(n - 1).noalias() = -a_.transpose() * X;
    } else {
        // (C' X)(0,:) = -a_0 X(n-1,:), (C' X)(j,:) = X(j-1,:) - a_j X(n-1,:).
        Y.bottomRows(n - 1) = X.topRows(n - 1);
        Y.row(0).setZero();
        Y.noalias() -= a_ * X.row(n - 1);
    }
}

void CompanionExp::taylor(bool transpose, double delta, Matrix& X, Matrix* integral) const {
    const double norm = (transpose ? norm1_t_ : norm1_) * delta;
    const Index n = a_.size();
    if (integral)
        integral->setZero(n, X.cols());
    if (norm > kMaxSubsteps || !std::isfinite(norm)) {
        // The dense exponential squares its way through large norms in O(log) products.
        const Matrix A = transpose ? Matrix(A_.transpose()) : A_;
        const ZohPair p = zoh(A, Matrix::Identity(n, n), delta);
        if (integral)
            integral->noalias() = p.Bd * X;
        X = p.Ad * X;
        return;
    }
    const int substeps = std::max(1, static_cast<int>(std::ceil(norm)));
    const double h = delta / substeps, theta = norm / substeps;  // ||h A||_1 <= theta <= 1
    const double u = std::numeric_limits<double>::epsilon() / 2;
    Matrix term, next;
    for (int s = 0; s < substeps; ++s) {
        // exp(hA) X = sum_k T_k, T_k = (hA)^k X / k!;  h φ1(hA) X = h sum_k T_k / (k+1).
        term = X;
        if (integral)
            integral->noalias() += h * term;
        for (int k = 1; k <= 60; ++k) {
            times(transpose, term, next);
            term.noalias() = (h / k) * next;
            X += term;
            if (integral)
                integral->noalias() += (h / (k + 1)) * term;
            // ||T_{k+j}|| <= ||T_k|| theta^j / ((k+1)...(k+j)): the remainder after T_k is at most
            // ||T_k|| r / (1 - r) with r = theta / (k+1).
            const double r = theta / (k + 1);
            if (max_col_norm1(term) * r / (1 - r) <= u * max_col_norm1(X))
                break;
        }
    }
}

void CompanionExp::apply(double delta, Matrix& X, Matrix* integral) const {
    taylor(false, delta, X, integral);
}

void CompanionExp::apply_transposed(double delta, Matrix& X) const {
    taylor(true, delta, X, nullptr);
}

Vector CompanionExp::gain(double delta, const Vector& b) const {
    Matrix X = b, integral;
    taylor(false, delta, X, &integral);
    return integral.col(0);
}

}  // namespace ssmscope::analysis
