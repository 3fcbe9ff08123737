#include "analysis/gram.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>
#include <vector>

#include "analysis/slicot.hpp"
#include "analysis/spectrum.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

namespace {

Gramian undefined(std::string why) {
    return Gramian{std::nullopt, Matrix(), std::move(why)};
}

// Why the Gramian of a system that is not (asymptotically) stable does not exist.
Gramian not_stable(const Spectrum& spec, bool discrete) {
    return undefined(discrete ? str("A is not convergent (spectral radius ", spec.spectral_radius,
                                    ", ", to_string(spec.stability), "): the infinite sum diverges")
                              : str("A is not stable (spectral abscissa ", spec.spectral_abscissa,
                                    ", ", to_string(spec.stability), "): the integral diverges"));
}

}  // namespace

Gramian gram(const RealSchur& schur, const Matrix& B_or_C, GramKind kind, bool discrete) {
    const bool ctrb = kind == GramKind::Controllability;
    const int n = static_cast<int>(schur.S.rows());
    const Spectrum spec = spectrum(schur.eigenvalues, schur.balanced_norm, discrete);
    if (!spec.stable()) {
        return not_stable(spec, discrete);
    }
    if (n == 0)
        return Gramian{Matrix(0, 0), Matrix(0, 0), {}};

    // SLICOT solves op(A)'X + X op(A) = -op(B)'op(B) with X = op(U)'op(U). TRANS = 'T' gives
    // A X + X A' = -B B', X = U U' (controllability, B is n x m); TRANS = 'N' gives
    // A' X + X A = -C' C, X = U' U (observability, C is p x n). It is solved for the balanced
    // system (D^-1 A D, D^-1 B, C D), whose Gramians are D^-1 Wc D^-1 and D Wo D.
    const int m = static_cast<int>(ctrb ? B_or_C.cols() : B_or_C.rows());
    const int ldb = std::max({1, n, m});
    Matrix b = Matrix::Zero(ldb, std::max(n, m));
    if (ctrb) {
        b.topLeftCorner(n, m) = schur.D.cwiseInverse().asDiagonal() * B_or_C;
    } else {
        b.topLeftCorner(m, n) = B_or_C * schur.D.asDiagonal();
    }
    Matrix s = schur.S, q = schur.Q;
    const int ld = n;
    Vector wr(n), wi(n);
    const int ldwork = std::max(1, 4 * n + std::min(m, n)) + 8 * n * n;
    Vector dwork(ldwork);
    double scale = 1.0;
    int info = 0;
    fortran::sb03od_(discrete ? "D" : "C", "F", ctrb ? "T" : "N", &n, &m, s.data(), &ld, q.data(),
                     &ld, b.data(), &ldb, &scale, wr.data(), wi.data(), dwork.data(), &ldwork,
                     &info, 1, 1, 1);
    if (info == 1 || info == 3)
        return undefined(discrete ? "A is only just convergent: the Lyapunov equation is nearly "
                                    "singular and its solution not reliable"
                                  : "A is only just stable: the Lyapunov equation is nearly "
                                    "singular and its solution not reliable");
    if (info != 0)
        throw std::runtime_error(str("SLICOT SB03OD failed (info ", info, ")"));

    Gramian g;
    g.R = b.topLeftCorner(n, n).triangularView<Eigen::Upper>();
    g.R /= scale;
    // Back from balanced coordinates; a diagonal scaling keeps the factor upper triangular.
    if (ctrb) {
        g.R = schur.D.asDiagonal() * g.R;
    } else {
        g.R = g.R * schur.D.cwiseInverse().asDiagonal();
    }
    g.W = ctrb ? Matrix(g.R * g.R.transpose()) : Matrix(g.R.transpose() * g.R);
    return g;
}

Gramian diagonal_gram(const Vector& a, const Vector& v, GramKind kind, bool discrete) {
    const Index n = a.size();
    std::vector<std::complex<double>> eig(a.data(), a.data() + n);
    const Spectrum spec = spectrum(std::move(eig), a.norm(), discrete);
    if (!spec.stable()) {
        return not_stable(spec, discrete);
    }
    const auto d = [&](Index i, Index j) { return discrete ? 1.0 - a(i) * a(j) : -(a(i) + a(j)); };
    Gramian g;
    Matrix W(n, n);
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < n; ++i)
            W(i, j) = v(i) * v(j) / d(i, j);
    g.W = std::move(W);
    // Controllability: Wc = R R' with R upper, so the last state is eliminated first;
    // observability: Wo = R' R = L L' with L = R' lower, the first state first. Pivot k takes
    // column W(:, k) / sqrt(W_kk) = g_i sign(g_k) sqrt(d_kk) / d_ik; its Schur complement is the
    // same Cauchy-like matrix on generators g_i (a_k - a_i) / d_ik. A zero pivot has a zero row and
    // column (W is semidefinite): nothing to eliminate.
    const bool ctrb = kind == GramKind::Controllability;
    Vector gen = v;
    Matrix L = Matrix::Zero(n, n);  // ctrb: R itself; obsv: R'
    for (Index step = 0; step < n; ++step) {
        const Index k = ctrb ? n - 1 - step : step;
        if (gen(k) == 0.0)
            continue;
        const double root = std::copysign(std::sqrt(d(k, k)), gen(k));
        const Index lo = ctrb ? 0 : k, hi = ctrb ? k + 1 : n;  // the rows not yet eliminated
        for (Index i = lo; i < hi; ++i)
            L(i, k) = gen(i) * root / d(i, k);
        for (Index i = lo; i < hi; ++i)
            gen(i) *= (a(k) - a(i)) / d(i, k);
        gen(k) = 0.0;
    }
    g.R = ctrb ? L : Matrix(L.transpose());
    return g;
}

Gramian gram(const Matrix& A, const Matrix& B_or_C, GramKind kind, bool discrete) {
    return gram(real_schur(A), B_or_C, kind, discrete);
}

Gramian gram(const StateSpace& sys, GramKind kind) {
    return gram(sys.A, kind == GramKind::Controllability ? sys.B : sys.C, kind, sys.is_discrete());
}

}  // namespace ssmscope::analysis
