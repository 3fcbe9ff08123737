// The token convergence/divergence criterion: its regime against a simulation of the depth ODE,
// its eigenvalues against M = S_C' S_B formed explicitly, and the constructions of the
// reparametrised layers.
#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "analysis/token_criterion.hpp"
#include "tests/support/dense.hpp"
#include "tests/support/input_error.hpp"
#include "tests/support/systems.hpp"

using namespace ssmscope::analysis;
namespace t = ssmscope::test;

namespace {

double softplus(double z) {
    return z > 30.0 ? z : std::log1p(std::exp(z));
}

// The continuous-depth model in one dimension (D = 1), L tokens:
//     dx_i/dt = sum_{j<=i} P_ij x_j,
//     P_ij = mu x_i x_j Delta_j exp(-a sum_{k=j+1..i} Delta_k),   Delta_l = softplus(s x_l + b).
struct DepthOde {
    double mu, s, b, a;

    std::vector<double> operator()(const std::vector<double>& x) const {
        const std::size_t L = x.size();
        std::vector<double> delta(L), f(L, 0.0);
        for (std::size_t l = 0; l < L; ++l)
            delta[l] = softplus(s * x[l] + b);
        for (std::size_t i = 0; i < L; ++i) {
            double later = 0.0;  // sum_{k=j+1..i} Delta_k
            for (std::size_t j = i + 1; j-- > 0;) {
                const double P = mu * x[i] * x[j] * delta[j] * std::exp(-a * later);
                f[i] += P * x[j];
                later += delta[j];
            }
        }
        return f;
    }
};

struct Trajectory {
    std::vector<std::vector<double>> x;  // one state per accepted step, x[0] the start
    double t = 0.0;
};

// Classical RK4. The step is h0 while the relative rates max_i |f_i / x_i| stay below 0.01 / h0
// (always, in the convergent runs, where they only fall) and shrinks with them near a
// finite-time blow-up, which a fixed step would overshoot into inf or NaN. Stops at t_end or
// when some |x_i| exceeds blow_up.
Trajectory simulate(const DepthOde& f, std::vector<double> x, double t_end, double h0,
                    double blow_up) {
    Trajectory tr;
    tr.x.push_back(x);
    const std::size_t L = x.size();
    auto axpy = [&](const std::vector<double>& v, double c, const std::vector<double>& d) {
        std::vector<double> r(L);
        for (std::size_t i = 0; i < L; ++i)
            r[i] = v[i] + c * d[i];
        return r;
    };
    while (tr.t < t_end) {
        const std::vector<double> k1 = f(x);
        double rate = 0.0;
        for (std::size_t i = 0; i < L; ++i)
            if (x[i] != 0.0)
                rate = std::max(rate, std::abs(k1[i] / x[i]));
        const double h = std::min({h0, t_end - tr.t, rate > 0.0 ? 0.01 / rate : h0});
        const std::vector<double> k2 = f(axpy(x, h / 2, k1));
        const std::vector<double> k3 = f(axpy(x, h / 2, k2));
        const std::vector<double> k4 = f(axpy(x, h, k3));
        for (std::size_t i = 0; i < L; ++i)
            x[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        tr.t += h;
        tr.x.push_back(x);
        if (std::any_of(x.begin(), x.end(), [&](double v) { return std::abs(v) > blow_up; }))
            break;
    }
    return tr;
}

// Whether |x_i| never decreases (direction +1) or never increases (-1) along the trajectory.
bool monotone(const Trajectory& tr, std::size_t i, int direction) {
    for (std::size_t k = 1; k < tr.x.size(); ++k)
        if (direction * (std::abs(tr.x[k][i]) - std::abs(tr.x[k - 1][i])) < 0.0)
            return false;
    return true;
}

// S_B, S_C in R^{N x 1} with S_C' S_B = mu: a random S_C and S_B = S_C mu / |S_C|^2 plus a part
// orthogonal to S_C.
void projections_with_mu(double mu, Matrix& S_B, Matrix& S_C, std::mt19937& rng) {
    const Index N = 4;
    S_C = t::randn(N, 1, rng);
    Matrix w = t::randn(N, 1, rng);
    w -= S_C * (S_C.col(0).dot(w.col(0)) / S_C.squaredNorm());
    S_B = S_C * (mu / S_C.squaredNorm()) + w;
}

// Unit upper-triangular U (N x D, U(n, n) = 1) and p = softplus(c) + 0.7 > 0, as the
// reparametrised layers build them.
void reparametrisation(Index N, Index D, Matrix& U, Vector& p, std::mt19937& rng) {
    U = t::randn(N, D, rng).triangularView<Eigen::StrictlyUpper>();
    U.diagonal().setOnes();
    const Vector c = t::randn(N, 1, rng);
    p = c.unaryExpr([](double v) { return softplus(v) + 0.7; });
}

std::vector<std::complex<double>> explicit_eigenvalues(const Matrix& M) {
    const Eigen::VectorXcd e = t::eigenvalues(M);
    return {e.begin(), e.end()};
}

double largest_symmetric_eigenvalue(const Matrix& M) {
    const Matrix Ms = 0.5 * (M + M.transpose());
    return t::symmetric_eigenvalues(Ms).maxCoeff();
}

}  // namespace

BOOST_AUTO_TEST_CASE(negative_mu_is_convergent_and_the_tokens_decay) {
    std::mt19937 rng(1);
    Matrix S_B, S_C;
    projections_with_mu(-0.8, S_B, S_C, rng);
    const double mu = S_C.col(0).dot(S_B.col(0));
    const TokenCriterion c = token_criterion(S_B, S_C);
    BOOST_TEST(c.predicted == TokenRegime::Convergent);
    BOOST_TEST_REQUIRE(c.nonzero_eigenvalues.size() == 1u);
    BOOST_TEST(std::abs(c.nonzero_eigenvalues[0] - mu) < 1e-15);

    const DepthOde f{mu, 0.5, 0.0, 1.0};
    const std::vector<double> x0{1.0, -0.7, 0.5, 1.2};
    const double T = 400.0;
    const Trajectory tr = simulate(f, x0, T, 0.01, 1e6);
    BOOST_TEST(tr.t >= T - 1e-9);
    for (std::size_t i = 0; i < x0.size(); ++i) {
        BOOST_TEST(monotone(tr, i, -1), "token " << i + 1 << " decays monotonically");
        const double ratio = std::abs(tr.x.back()[i] / x0[i]);
        BOOST_TEST_MESSAGE("convergent: token " << i + 1 << " ends at " << ratio
                                                << " of its start");
        BOOST_TEST(ratio < 0.2);
    }
    // Token 1 alone: dx/dt = mu Delta(x) x^3, so x^-2 = x0^-2 + 2|mu| int Delta dt, and while
    // |x| <= |x0| Delta lies in [softplus(b - |s x0|), softplus(b + |s x0|)]: a bracket of
    // O(1/sqrt t). Near 0 (b = 0), Delta -> ln 2: x ~ 1/sqrt(2 |mu| ln2 t).
    const double x1 = std::abs(tr.x.back()[0]), sx0 = std::abs(f.s * x0[0]);
    const double inv_x0_sq = 1.0 / (x0[0] * x0[0]);
    BOOST_TEST(x1 >= 1.0 / std::sqrt(inv_x0_sq + 2 * std::abs(mu) * softplus(f.b + sx0) * T));
    BOOST_TEST(x1 <= 1.0 / std::sqrt(inv_x0_sq + 2 * std::abs(mu) * softplus(f.b - sx0) * T));
    const double asymptotic = x1 * std::sqrt(2 * std::abs(mu) * std::log(2.0) * T);
    BOOST_TEST_MESSAGE("convergent: x_1(T) sqrt(2 |mu| ln2 T) = " << asymptotic);
    BOOST_TEST(std::abs(asymptotic - 1.0) < 0.05);
}

BOOST_AUTO_TEST_CASE(positive_mu_is_divergent_and_the_tokens_grow) {
    std::mt19937 rng(2);
    Matrix S_B, S_C;
    projections_with_mu(0.6, S_B, S_C, rng);
    const double mu = S_C.col(0).dot(S_B.col(0));
    const TokenCriterion c = token_criterion(S_B, S_C);
    BOOST_TEST(c.predicted == TokenRegime::Divergent);
    BOOST_TEST(c.positive == 1);
    BOOST_TEST(c.fraction_positive == 1.0);

    // s < 0 and positive starts: s x_l -> -inf, so Delta shrinks as the tokens grow, the slow
    // divergence that goes on for all t (token 1 ~ ln t / |s|). A token starting at 0 has
    // dx/dt = 0 and stays there.
    const std::vector<double> x0{0.8, 0.5, 0.0, 0.3, 0.6};
    const Trajectory slow = simulate(DepthOde{mu, -0.5, 0.0, 0.5}, x0, 500.0, 0.01, 1e8);
    BOOST_TEST(slow.t >= 500.0 - 1e-9);
    BOOST_TEST(slow.x.back()[2] == 0.0);
    for (std::size_t i = 0; i < x0.size(); ++i) {
        if (x0[i] == 0.0)
            continue;
        BOOST_TEST(monotone(slow, i, +1), "token " << i + 1 << " grows monotonically");
        const double ratio = std::abs(slow.x.back()[i] / x0[i]);
        BOOST_TEST_MESSAGE("slow divergence: token " << i + 1 << " ends at " << ratio
                                                     << " times its start");
        BOOST_TEST(ratio > 10.0);
    }

    // s > 0 and x_1 > 0: Delta grows with x_1, dx_1/dt ~ mu s x_1^4, a blow-up in finite time.
    // Delta >= softplus(0) = ln 2 on the way, so it comes before 1 / (2 mu ln2 x_1(0)^2), the
    // blow-up time of dx/dt = mu ln2 x^3.
    const Trajectory fast = simulate(DepthOde{mu, 0.5, 0.0, 0.5}, x0, 500.0, 0.01, 1e8);
    BOOST_TEST_MESSAGE("fast divergence: |x_1| passes 1e8 at t = " << fast.t);
    BOOST_TEST(std::abs(fast.x.back()[0]) > 1e8);
    BOOST_TEST(fast.t < 1.0 / (2 * mu * std::log(2.0) * x0[0] * x0[0]));
    for (std::size_t i = 0; i < x0.size(); ++i)
        BOOST_TEST(monotone(fast, i, +1), "token " << i + 1 << " grows monotonically");
}

BOOST_AUTO_TEST_CASE(nonzero_eigenvalues_are_those_of_the_explicit_product) {
    std::mt19937 rng(4);
    for (const auto& [N, D] : {std::pair<Index, Index>{3, 8}, {4, 3}, {4, 40}}) {
        const Matrix S_B = t::randn(N, D, rng), S_C = t::randn(N, D, rng);
        const Matrix M = S_C.transpose() * S_B;
        const TokenCriterion c = token_criterion(S_B, S_C);
        const auto rank = static_cast<std::size_t>(std::min(N, D));
        BOOST_TEST_REQUIRE(c.nonzero_eigenvalues.size() == rank);
        // Match every eigenvalue of the criterion with the nearest unused explicit one; the
        // explicit ones left over are the D - N zeros.
        std::vector<std::complex<double>> all = explicit_eigenvalues(M);
        double matched = 0.0;
        for (const auto& l : c.nonzero_eigenvalues) {
            const auto nearest = std::min_element(all.begin(), all.end(), [&](auto u, auto v) {
                return std::abs(u - l) < std::abs(v - l);
            });
            matched = std::max(matched, std::abs(*nearest - l));
            all.erase(nearest);
        }
        double zeros = 0.0;
        for (const auto& l : all)
            zeros = std::max(zeros, std::abs(l));
        const double norm = M.norm();
        BOOST_TEST_MESSAGE("N = " << N << ", D = " << D << ": eigenvalue error " << matched / norm
                                  << ", largest dropped " << zeros / norm
                                  << " (relative to ||M||_F)");
        BOOST_TEST(matched / norm < 1e-12);
        BOOST_TEST(zeros / norm < 1e-12);
        // Counts and order.
        BOOST_TEST(c.positive + c.negative == static_cast<int>(rank));
        BOOST_TEST(std::is_sorted(c.nonzero_eigenvalues.begin(), c.nonzero_eigenvalues.end(),
                                  [](auto u, auto v) { return u.real() > v.real(); }));
        const double sym = largest_symmetric_eigenvalue(M);
        const double sym_err = std::abs(c.max_symmetric_eigenvalue - sym) / norm;
        BOOST_TEST_MESSAGE("N = " << N << ", D = " << D << ": max eig of the symmetric part " << sym
                                  << ", error " << sym_err << " (relative to ||M||_F)");
        BOOST_TEST(sym_err < 1e-12);
    }
}

BOOST_AUTO_TEST_CASE(reparametrised_layers_have_the_sign_of_their_construction) {
    // S_C' S_B = +-U' diag(p) U: the nonzero eigenvalues are those of +-diag(p) U U', which is
    // similar to +-(U U')^1/2 diag(p) (U U')^1/2: all N real and of the sign chosen.
    std::mt19937 rng(8);
    const Index N = 4, D = 10;
    Matrix U;
    Vector p;
    reparametrisation(N, D, U, p, rng);

    const TokenCriterion neg = token_criterion(Vector(-p).asDiagonal() * U, U);
    BOOST_TEST(neg.predicted == TokenRegime::Convergent);
    BOOST_TEST(neg.positive == 0);
    BOOST_TEST(neg.negative == N);
    BOOST_TEST(neg.fraction_positive == 0.0);
    // Negative semidefinite of rank N < D: its largest eigenvalue is the zero of the null space.
    BOOST_TEST_MESSAGE("neg: max eig of the symmetric part " << neg.max_symmetric_eigenvalue);
    BOOST_TEST(std::abs(neg.max_symmetric_eigenvalue) < 1e-12 * p.maxCoeff() * U.squaredNorm());

    const TokenCriterion pos = token_criterion(p.asDiagonal() * U, U);
    BOOST_TEST(pos.predicted == TokenRegime::Divergent);
    BOOST_TEST(pos.positive == N);
    BOOST_TEST(pos.negative == 0);
    BOOST_TEST(pos.fraction_positive == 1.0);
    BOOST_TEST(pos.max_symmetric_eigenvalue > 0.0);

    // Mixed signs: by Sylvester's law of inertia, N/2 positive and N/2 negative eigenvalues.
    Vector sgn_p = p;
    sgn_p.tail(N / 2) *= -1.0;
    const TokenCriterion mixed = token_criterion(sgn_p.asDiagonal() * U, U);
    BOOST_TEST(mixed.predicted == TokenRegime::Divergent);
    BOOST_TEST(mixed.positive == N / 2);
    BOOST_TEST(mixed.negative == N / 2);
    BOOST_TEST(mixed.fraction_positive == 0.5);
}

BOOST_AUTO_TEST_CASE(a_zero_or_skew_product_is_static) {
    std::mt19937 rng(10);
    const TokenCriterion zero = token_criterion(Matrix::Zero(4, 6), t::randn(4, 6, rng));
    BOOST_TEST(zero.predicted == TokenRegime::Static);
    BOOST_TEST(zero.nonzero_eigenvalues.empty());
    BOOST_TEST(zero.positive == 0);
    BOOST_TEST(zero.negative == 0);
    BOOST_TEST(zero.fraction_positive == 0.0);
    BOOST_TEST(zero.max_symmetric_eigenvalue == 0.0);
    // M = [0 1; -1 0]: eigenvalues +-i, x' M x = 0, the first token keeps its norm.
    Matrix S_C(2, 2);
    S_C << 0.0, -1.0, 1.0, 0.0;
    const TokenCriterion skew = token_criterion(Matrix::Identity(2, 2), S_C);
    BOOST_TEST(skew.nonzero_eigenvalues.size() == 2u);
    BOOST_TEST(skew.predicted == TokenRegime::Static);
    BOOST_TEST(std::string(to_string(TokenRegime::Convergent)) == "convergent");
    BOOST_TEST(std::string(to_string(TokenRegime::Divergent)) == "divergent");
    BOOST_TEST(std::string(to_string(TokenRegime::Static)) == "static");
}

BOOST_AUTO_TEST_CASE(bad_input_is_reported) {
    std::mt19937 rng(12);
    BOOST_TEST(t::contains(
        t::input_error([&] { token_criterion(t::randn(4, 6, rng), t::randn(4, 5, rng)); }),
        "4 x 5"));
    BOOST_TEST(!t::input_error([&] { token_criterion(Matrix(0, 3), Matrix(0, 3)); }).empty());
    Matrix S_C = t::randn(3, 3, rng);
    S_C(1, 2) = std::numeric_limits<double>::infinity();
    BOOST_TEST(
        t::contains(t::input_error([&] { token_criterion(t::randn(3, 3, rng), S_C); }), "S_C"));
}
