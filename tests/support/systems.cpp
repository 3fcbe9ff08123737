#include "tests/support/systems.hpp"

#include <cmath>

#include "tests/support/dense.hpp"

namespace ssmscope::test {

Matrix randn(Index rows, Index cols, std::mt19937& rng) {
    std::normal_distribution<double> dist;
    Matrix M(rows, cols);
    for (Index j = 0; j < cols; ++j)
        for (Index i = 0; i < rows; ++i)
            M(i, j) = dist(rng);
    return M;
}

Matrix random_orthogonal(Index n, std::mt19937& rng) {
    return orthogonal_factor(randn(n, n, rng));
}

Matrix similarity(Index n, std::mt19937& rng) {
    const Matrix Q1 = random_orthogonal(n, rng);
    const Matrix Q2 = random_orthogonal(n, rng);
    Vector d(n);
    for (Index i = 0; i < n; ++i)
        d(i) = std::pow(
            10.0, n > 1 ? -0.3 + 0.6 * static_cast<double>(i) / static_cast<double>(n - 1) : 0.0);
    return Q1 * d.asDiagonal() * Q2;
}

Matrix stable_random(Index n, double margin, std::mt19937& rng) {
    Matrix A = randn(n, n, rng);
    const double abscissa = eigenvalues(A).real().maxCoeff();
    A.diagonal().array() -= abscissa + margin;
    return A;
}

Matrix convergent_random(Index n, double rho, std::mt19937& rng) {
    Matrix A = randn(n, n, rng);
    return A * (rho / eigenvalues(A).cwiseAbs().maxCoeff());
}

StateSpace kalman(Index nco, Index ncno, Index nnco, Index nncno, Index m, Index p,
                  std::mt19937& rng) {
    const Index n = nco + ncno + nnco + nncno;
    // Block order: [co, cno, nco, ncno]. Controllable: the first nc states; observable: co and nco.
    const Index nc = nco + ncno;
    std::vector<bool> observable(n, false);
    for (Index i = 0; i < nco; ++i)
        observable[i] = true;
    for (Index i = nc; i < nc + nnco; ++i)
        observable[i] = true;

    Matrix A = randn(n, n, rng);
    A.bottomLeftCorner(n - nc, nc).setZero();  // uncontrollable states are not driven
    for (Index i = 0; i < n; ++i)              // unobservable states do not feed observable ones
        for (Index j = 0; j < n; ++j)
            if (observable[i] && !observable[j])
                A(i, j) = 0.0;
    const double abscissa = eigenvalues(A).real().maxCoeff();
    A.diagonal().array() -= abscissa + 0.5;

    Matrix B = Matrix::Zero(n, m), C = Matrix::Zero(p, n);
    B.topRows(nc) = randn(nc, m, rng);
    const Matrix c = randn(p, n, rng);
    for (Index j = 0; j < n; ++j)
        if (observable[j])
            C.col(j) = c.col(j);
    return StateSpace{A, B, C, Matrix::Zero(p, m), 0.0};
}

std::vector<std::complex<double>> poles_minus_one_to(int n) {
    std::vector<std::complex<double>> poles;
    for (int i = 1; i <= n; ++i)
        poles.emplace_back(-i, 0.0);
    return poles;
}

StateSpace transform(const StateSpace& sys, const Matrix& T) {
    return StateSpace{solve(T, sys.A * T), solve(T, sys.B), sys.C * T, sys.D, sys.dt};
}

Matrix markov(const StateSpace& sys, Index count) {
    Matrix out(sys.p() * count, sys.m());
    Matrix AkB = sys.B;
    for (Index k = 0; k < count; ++k) {
        out.middleRows(k * sys.p(), sys.p()) = sys.C * AkB;
        AkB = sys.A * AkB;
    }
    return out;
}

double rel_err(const Matrix& a, const Matrix& b) {
    const double scale = b.cwiseAbs().maxCoeff();
    return (a - b).cwiseAbs().maxCoeff() / (scale > 0.0 ? scale : 1.0);
}

}  // namespace ssmscope::test
