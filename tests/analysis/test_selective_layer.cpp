// The per-layer analyses of selective layers (analysis/layer_*.hpp) on constructed layers, each
// against an independent computation: the staircase for the closed-form PBH ranks, eigenvalues of
// the matrix exponential for the discrete radius, the literal product of the Ā_t for the
// reachable subspace, Δ Re λ for Lyapunov exponents of a constant step.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <boost/test/unit_test.hpp>

#include "analysis/canonical.hpp"
#include "analysis/checkpoint_report.hpp"
#include "analysis/discretize.hpp"
#include "analysis/frozen_unit.hpp"
#include "analysis/gram.hpp"
#include "analysis/hsv.hpp"
#include "analysis/impulse_response.hpp"
#include "analysis/layer_gramians.hpp"
#include "analysis/layer_lyapunov.hpp"
#include "analysis/layer_memory.hpp"
#include "analysis/layer_ranks.hpp"
#include "analysis/layer_reachable.hpp"
#include "analysis/layer_stability.hpp"
#include "analysis/lyapunov_exponents.hpp"
#include "analysis/schur.hpp"
#include "analysis/single_input_rank.hpp"
#include "analysis/staircase.hpp"
#include "analysis/tolerance.hpp"
#include "analysis/unit_steps.hpp"
#include "analysis/verify.hpp"
#include "base/parallel_for.hpp"
#include "tests/support/dense.hpp"
#include "tests/support/input_error.hpp"
#include "tests/support/systems.hpp"

using namespace ssmscope;
using namespace ssmscope::analysis;
namespace t = ssmscope::test;
namespace tt = boost::test_tools;

namespace {

// A layer of `units` units of order n over `tokens` tokens with random selective b_t, c_t
// (one group) and steps Δ in [0.05, 1].
SelectiveLayer random_layer(StateForm form, Index units, Index n, Index tokens, std::mt19937& rng) {
    std::uniform_real_distribution<double> step(0.05, 1.0);
    SelectiveLayer l;
    l.form = form;
    l.n = n;
    l.exact_zoh = form == StateForm::Companion || form == StateForm::CompanionTransposed;
    l.delta = Matrix(tokens, units);
    for (Index i = 0; i < l.delta.size(); ++i)
        l.delta.data()[i] = step(rng);
    l.delta_raw = l.delta;
    l.B = {t::randn(tokens, n, rng)};
    l.C = {t::randn(tokens, n, rng)};
    if (form == StateForm::Scalar) {
        l.a = -Matrix::Random(units, 1).cwiseAbs().array() - 0.5;
    } else if (form == StateForm::Diagonal) {
        l.a = -(Matrix::Random(units, n).array().abs() * 4 + 0.1);
    } else {
        l.a.resize(units, n);
        for (Index u = 0; u < units; ++u) {
            std::vector<std::complex<double>> p;
            for (Index i = 0; i < n; ++i)
                p.emplace_back(-0.5 - static_cast<double>(i) - 0.3 * step(rng), 0.0);
            l.a.row(u) = poly(p).transpose();
        }
    }
    return l;
}

ProbeTrace trace_of(const SelectiveLayer& l) {
    ProbeTrace p;
    p.layers = {l};
    return p;
}

}  // namespace

BOOST_AUTO_TEST_CASE(closed_form_pbh_agrees_with_the_staircase_on_diagonal_pairs) {
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> pick(0, 3);
    int deficient = 0;
    for (int trial = 0; trial < 300; ++trial) {
        const Index n = 2 + trial % 8;
        Vector a = -(Vector::Random(n).array().abs() * 5 + 0.2);
        Vector b = t::randn(n, 1, rng);
        // Repeated eigenvalues and zero entries make some pairs uncontrollable.
        for (Index i = 1; i < n; ++i) {
            if (pick(rng) == 0)
                a(i) = a(i - 1);
            if (pick(rng) == 0)
                b(i) = 0.0;
        }
        const int closed = diagonal_pbh_rank(a, b, 1e-8);
        const Matrix A = a.asDiagonal();
        BOOST_TEST(closed == ctrb_staircase(A, b, 1e-8).rank);
        deficient += closed < n;
    }
    BOOST_TEST(deficient > 100);  // both outcomes were exercised
    // Scalar A = a I: one direction at most.
    BOOST_TEST(diagonal_pbh_rank(Vector::Constant(5, -2.0), Vector::Ones(5), 1e-8) == 1);
    BOOST_TEST(diagonal_pbh_rank(Vector::Constant(5, -2.0), Vector::Zero(5), 1e-8) == 0);
}

BOOST_AUTO_TEST_CASE(frozen_ranks_of_diagonal_and_scalar_layers_are_the_staircase_ranks) {
    // Layers whose units share b_t in groups, with repeated eigenvalues, zero entries and a zero
    // vector: the per-group shortcut of layer_ranks against a staircase of each pair. Scalar A
    // up to Mamba-2's N = 128, diagonal A where the staircase of a diagonal pair is reliable.
    std::mt19937 rng(23);
    std::uniform_int_distribution<int> pick(0, 3);
    for (StateForm form : {StateForm::Diagonal, StateForm::Scalar}) {
        for (Index n : {Index{5}, Index{16}, Index{64}, Index{128}}) {
            if (form == StateForm::Diagonal && n > 16)
                continue;
            BOOST_TEST_CONTEXT(to_string(form) << " N " << n) {
                SelectiveLayer l = random_layer(form, 6, n, 7, rng);
                l.B = {t::randn(7, n, rng), t::randn(7, n, rng)};
                for (Matrix& V : l.B)
                    for (Index i = 0; i < V.size(); ++i)
                        if (pick(rng) == 0)
                            V.data()[i] = 0.0;
                l.B[1].row(3).setZero();
                if (form == StateForm::Diagonal) {
                    for (Index u = 0; u < 6; u += 2)  // half the units keep distinct eigenvalues
                        for (Index i = 1; i < n; ++i)
                            if (pick(rng) == 0)
                                l.a(u, i) = l.a(u, i - 1);
                }
                const LayerRanks r = layer_ranks(l, {.tol = 1e-8, .cross_check_pairs = 0});
                int deficient = 0;
                for (Index u = 0; u < 6; ++u) {
                    int lowest = static_cast<int>(n);
                    for (Index k = 0; k < 7; ++k) {
                        const int stair = ctrb_staircase(l.A(u), l.b(u, k), 1e-8, false).rank;
                        lowest = std::min(lowest, stair);
                        deficient += stair < n;
                        if (form == StateForm::Scalar)
                            BOOST_TEST(stair == (l.b(u, k).norm() > 0.0 ? 1 : 0));
                    }
                    BOOST_TEST(r.ctrb.unit_min_rank[static_cast<std::size_t>(u)] == lowest);
                    BOOST_TEST(r.obsv.unit_min_rank[static_cast<std::size_t>(u)] ==
                               obsv_staircase(l.A(u), l.c(u, r.obsv.unit_min_token[u]).transpose(),
                                              1e-8, false)
                                   .rank);
                }
                BOOST_TEST(deficient > 0);
                BOOST_TEST(r.ctrb.min == 0);  // the zero b_t of group 1
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(frozen_ranks_of_each_form) {
    std::mt19937 rng(5);
    for (StateForm form : {StateForm::Diagonal, StateForm::Scalar, StateForm::Companion,
                           StateForm::CompanionTransposed}) {
        BOOST_TEST_CONTEXT(to_string(form)) {
            const SelectiveLayer l = random_layer(form, 6, 5, 9, rng);
            RankOptions options;
            options.cross_check_pairs = 1000;
            const LayerRanks r = layer_ranks(l, options);
            const int expected = form == StateForm::Scalar ? 1 : 5;
            BOOST_TEST(r.ctrb.min == expected);
            BOOST_TEST(r.ctrb.max == expected);
            BOOST_TEST(r.obsv.min == expected);
            BOOST_TEST(r.ctrb.pairs == 54);
            BOOST_TEST(r.ctrb.cross_checked == 54);
            BOOST_TEST(r.ctrb.staircase_disagreements == 0);
            BOOST_TEST(r.ctrb.pbh_disagreements == 0);
            BOOST_TEST(r.obsv.staircase_disagreements == 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(single_input_rank_is_the_staircase_rank) {
    // Pairs clearly controllable (decided without AB01ND) and pairs at distances ε ||b|| from an
    // uncontrollable one, across the tolerance 1.5e-8 (left to AB01ND): the rank is the
    // staircase's every time. A: companion matrices and their transposes, the badly scaled
    // companion of (s+1)...(s+16) (balancing matters), dense random matrices.
    std::mt19937 rng(31);
    std::vector<Matrix> As;
    for (Index n : {Index{4}, Index{16}}) {
        std::vector<std::complex<double>> p;
        for (Index i = 0; i < n; ++i)
            p.emplace_back(-0.3 - 0.4 * static_cast<double>(i), 0.0);
        As.push_back(companion(poly(p)));
        As.push_back(companion(poly(p)).transpose());
        As.push_back(t::randn(n, n, rng));
    }
    {
        std::vector<std::complex<double>> p;
        for (int i = 1; i <= 16; ++i)
            p.emplace_back(-static_cast<double>(i), 0.0);
        As.push_back(companion(poly(p)));
    }
    const double tol = default_structural_tol();
    int certified = 0, decided_by_slicot = 0, deficient = 0;
    for (const Matrix& A : As) {
        const Index n = A.rows();
        // A real left eigenvector w of A: b ⟂ w leaves its mode unreachable.
        Eigen::EigenSolver<Matrix> es(A.transpose());
        Index real = 0;
        while (std::abs(es.eigenvalues()(real).imag()) > 0)
            ++real;
        const Vector w = es.eigenvectors().col(real).real().normalized();
        for (int trial = 0; trial < 20; ++trial) {
            const Vector b0 = t::randn(n, 1, rng).col(0), e = t::randn(n, 1, rng).col(0);
            const Vector generic = b0;
            const Vector orthogonal = b0 - w * w.dot(b0);
            for (double eps : {-1.0, 0.0, 1e-13, 1e-10, 1e-8, 3e-8, 1e-7, 1e-6, 1e-4, 1e-2}) {
                const Vector b =
                    eps < 0 ? generic
                            : Vector(orthogonal + eps * orthogonal.norm() * e.normalized());
                const SingleInputRank fast = single_input_rank(A, b, tol);
                const int slow = ctrb_staircase(A, b, tol, false).rank;
                BOOST_TEST_CONTEXT("n " << n << " eps " << eps) {
                    BOOST_TEST(fast.rank == slow);
                }
                certified += fast.certified;
                decided_by_slicot += !fast.certified;
                deficient += slow < n;
            }
        }
    }
    BOOST_TEST_MESSAGE("certified " << certified << ", by AB01ND " << decided_by_slicot
                                    << ", deficient " << deficient);
    BOOST_TEST(certified > 100);
    BOOST_TEST(decided_by_slicot > 100);
    BOOST_TEST(deficient > 50);
}

BOOST_AUTO_TEST_CASE(a_zero_input_at_one_token_is_found) {
    std::mt19937 rng(8);
    SelectiveLayer l = random_layer(StateForm::Diagonal, 4, 3, 6, rng);
    l.B[0].row(4).setZero();
    l.B[0](2, 1) = 0.0;  // one mode unreachable at token 2
    const LayerRanks r = layer_ranks(l);
    BOOST_TEST(r.ctrb.min == 0);
    BOOST_TEST(r.ctrb.unit_min_token[0] == 4);
    BOOST_TEST(r.ctrb.fraction_full == 4.0 / 6.0, tt::tolerance(1e-15));  // tokens 0, 1, 3, 5
    const VerifyResult v = verify(trace_of(l), {Condition::Controllable});
    BOOST_TEST(v.violations.size() == 4u);
    BOOST_TEST(t::contains(v.violations[0].detail, "controllability rank 0 of 3 at token 4"));
}

BOOST_AUTO_TEST_CASE(discrete_radius_is_that_of_the_matrix_exponential) {
    std::mt19937 rng(11);
    SelectiveLayer l = random_layer(StateForm::Companion, 5, 4, 7, rng);
    // Unit 2 gets a pole at +0.5: its worst step is the largest one.
    l.a.row(2) = poly({{0.5, 0.0}, {-1.0, 0.0}, {-2.0, 1.0}, {-2.0, -1.0}}).transpose();
    const LayerStability s = layer_stability(l);
    for (Index u = 0; u < 5; ++u) {
        const UnitStability& us = s.units[static_cast<std::size_t>(u)];
        double rho = 0;
        for (Index k = 0; k < 7; ++k) {
            const Matrix Ad = zoh(l.A(u), Matrix::Zero(4, 1), l.delta(k, u)).Ad;
            rho = std::max(rho, t::eigenvalues(Ad).cwiseAbs().maxCoeff());
        }
        BOOST_TEST(us.radius == rho, tt::tolerance(1e-9));
    }
    BOOST_TEST(s.unstable_continuous == 1);
    BOOST_TEST(s.worst_unit == 2);
    BOOST_TEST(s.worst_abscissa == 0.5, tt::tolerance(1e-9));
    BOOST_TEST((s.units[2].continuous == Stability::Unstable));
    BOOST_TEST((s.units[2].discrete == Stability::Unstable));
    const VerifyResult v = verify(trace_of(l), {Condition::Stable});
    BOOST_REQUIRE_EQUAL(v.violations.size(), 1u);
    BOOST_TEST(v.violations[0].unit == 2);
}

BOOST_AUTO_TEST_CASE(reachability_matrix_is_the_product_of_the_steps) {
    std::mt19937 rng(13);
    // The companion forms with a selective b_t and, as SC-Mamba and ST-Mamba-2 have it, a fixed
    // e_N; the former also with Euler's B̄ = Δ b.
    struct Case {
        StateForm form;
        bool b_fixed, exact_zoh;
    };
    for (const Case c :
         {Case{StateForm::Diagonal, false, false}, Case{StateForm::Scalar, false, false},
          Case{StateForm::Companion, false, true}, Case{StateForm::Companion, true, true},
          Case{StateForm::Companion, true, false},
          Case{StateForm::CompanionTransposed, false, true},
          Case{StateForm::CompanionTransposed, false, false}}) {
        SelectiveLayer l = random_layer(c.form, 3, 4, 6, rng);
        l.exact_zoh = c.exact_zoh;
        if (c.b_fixed) {
            l.b_fixed = true;
            l.B = {Matrix::Zero(1, 4)};
            l.B[0](0, 3) = 1.0;
        }
        // Steps from 0.05 to 40 / ||A||_1: no substep, several, and the dense fallback.
        l.delta(2, 1) = 40.0 / l.A(1).cwiseAbs().colwise().sum().maxCoeff();
        l.delta(4, 2) = 200.0 / l.A(2).cwiseAbs().colwise().sum().maxCoeff();
        for (Index u = 0; u < 3; ++u) {
            const Matrix R = reachability_matrix(l, u);
            for (Index k = 0; k < 6; ++k) {
                // Φ(T,k) B̄_k by the literal product, each step from its own exponential.
                const Matrix A = l.A(u);
                ZohPair p = zoh(A, l.b(u, k), l.delta(k, u));
                if (!l.exact_zoh)
                    p.Bd = l.delta(k, u) * l.b(u, k);
                Vector col = p.Bd;
                for (Index j = k + 1; j < 6; ++j)
                    col = zoh(A, Matrix::Zero(4, 1), l.delta(j, u)).Ad * col;
                BOOST_TEST_CONTEXT(to_string(c.form)
                                   << " fixed b " << c.b_fixed << " zoh " << c.exact_zoh << " unit "
                                   << u << " k " << k) {
                    BOOST_TEST((R.col(k) - col).norm() <= 1e-12 * col.norm() + 1e-300);
                }
            }
        }
    }
    // Mamba-2's frozen rank is 1, but six random b_t reach all four directions.
    const LayerReachable r = layer_reachable(random_layer(StateForm::Scalar, 3, 4, 6, rng));
    BOOST_TEST(r.min == 4);
}

BOOST_AUTO_TEST_CASE(reachable_rank_by_qr_is_that_of_the_full_svd) {
    // layer_reachable decides on the triangular factor of R'; Eigen's SVD of the whole N x T R
    // (BDCSVD, another algorithm) must give the same singular values, rank and gap. Deficient
    // units: a zero column of b across every token, and b_t in a 2-dimensional span.
    std::mt19937 rng(29);
    for (StateForm form : {StateForm::Diagonal, StateForm::Scalar, StateForm::Companion}) {
        for (Index tokens : {Index{3}, Index{40}}) {
            BOOST_TEST_CONTEXT(to_string(form) << " T " << tokens) {
                SelectiveLayer l = random_layer(form, 4, 6, tokens, rng);
                l.B = {t::randn(tokens, 6, rng), t::randn(tokens, 2, rng) * t::randn(2, 6, rng)};
                if (form != StateForm::Companion)
                    l.B[0].col(2).setZero();
                const LayerReachable r = layer_reachable(l);
                BOOST_TEST(r.tol == default_rank_tol(6, tokens));
                for (Index u = 0; u < 4; ++u) {
                    const Matrix R = reachability_matrix(l, u);
                    const Vector full = Eigen::BDCSVD<Matrix>(R).singularValues();
                    const Vector qr = reachable_singular_values(l, u);
                    BOOST_TEST((qr - full).norm() <= 1e-13 * full(0));
                    const RankReport expect = svd_rank(R);
                    BOOST_TEST(r.unit_rank[static_cast<std::size_t>(u)] == expect.rank);
                    // Full rank: nothing dropped, both gaps infinite. Deficient: the dropped
                    // values are rounding noise, different in each algorithm, so the gaps agree
                    // only in being far beyond 1 / tol; the kept value they divide agrees.
                    const double gap = r.unit_gap[static_cast<std::size_t>(u)];
                    if (std::isinf(expect.gap)) {
                        BOOST_TEST(std::isinf(gap));
                    } else {
                        BOOST_TEST(gap > 1e8);
                        BOOST_TEST(expect.gap > 1e8);
                        const Index k = expect.rank - 1;
                        BOOST_TEST(qr(k) == full(k), tt::tolerance(1e-10));
                    }
                }
                if (tokens > 6 && form == StateForm::Scalar) {
                    BOOST_TEST(r.unit_rank[0] == 5);  // the zero state of group 0
                    BOOST_TEST(r.unit_rank[3] == 2);  // group 1 spans two directions
                }
            }
        }
    }
}

// A Mamba-2 head's HSVs in closed form, |b'c|/(-2a) and zeros, against SLICOT's Gramians of the
// dense aI and their product's singular values; an unstable head stays undefined.
BOOST_AUTO_TEST_CASE(scalar_head_hsv_is_the_closed_form_of_the_dense_gramians) {
    std::mt19937 rng(11);
    SelectiveLayer l = random_layer(StateForm::Scalar, 5, 8, 6, rng);
    l.a(2, 0) = 0.1;  // one unstable head
    const LayerGramians g = layer_gramians(l, 1 << 20);
    BOOST_REQUIRE_EQUAL(g.sampled, 30);
    BOOST_TEST(g.defined == 24);
    BOOST_TEST(g.undefined_reason.find("not stable") != std::string::npos);
    for (const GramianSample& s : g.samples) {
        BOOST_TEST_CONTEXT("head " << s.unit << ", token " << s.token) {
            const Matrix A = l.a(s.unit, 0) * Matrix::Identity(8, 8);
            const RealSchur schur = real_schur(A);
            const auto want =
                hsv(gram(schur, l.b(s.unit, s.token), GramKind::Controllability, false),
                    gram(schur, l.c(s.unit, s.token).transpose(), GramKind::Observability, false));
            BOOST_REQUIRE(s.hsv.has_value() == want.has_value());
            if (!want)
                continue;
            BOOST_TEST((*s.hsv)(0) == (*want)(0), tt::tolerance(1e-10));
            for (Index i = 1; i < 8; ++i) {
                BOOST_TEST((*s.hsv)(i) == 0.0);
                BOOST_TEST((*want)(i) < 1e-10 * (*want)(0));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(lyapunov_exponents_of_a_constant_step_are_delta_re_lambda) {
    std::mt19937 rng(17);
    SelectiveLayer l = random_layer(StateForm::Companion, 2, 4, 400, rng);
    l.delta.setConstant(0.3);
    l.a.row(0) = poly({{-1.0, 2.0}, {-1.0, -2.0}, {-0.5, 0.0}, {-3.0, 0.0}}).transpose();
    const LayerLyapunov ly = layer_lyapunov(l);
    BOOST_TEST(std::string(ly.method) == "qr");
    // Descending: -0.15, -0.3, -0.3, -0.9; the transient of a non-normal A fades as 1/T.
    const Vector& e = ly.unit_exponents[0];
    BOOST_TEST(std::abs(e(0) + 0.15) < 0.01);
    BOOST_TEST(std::abs(e(3) + 0.9) < 0.01);
    BOOST_TEST(e.sum() == 0.3 * (-1 - 1 - 0.5 - 3), tt::tolerance(1e-9));  // log|det| is exact
    // The limits are those numbers exactly.
    const Vector want_limit = Eigen::Vector4d(-0.15, -0.3, -0.3, -0.9);
    BOOST_TEST((ly.unit_limits[0] - want_limit).cwiseAbs().maxCoeff() < 1e-12);
    BOOST_TEST(ly.largest_limit >= -0.15 - 1e-12);
    // Diagonal forms: the closed form a_i mean(Δ).
    const SelectiveLayer d = random_layer(StateForm::Diagonal, 3, 4, 50, rng);
    const LayerLyapunov dl = layer_lyapunov(d);
    const double mean = d.delta.col(1).mean();
    Vector expect = d.a.row(1).transpose() * mean;
    std::sort(expect.data(), expect.data() + 4, std::greater<>());
    BOOST_TEST((dl.unit_exponents[1] - expect).norm() < 1e-13);
    BOOST_TEST((dl.unit_limits[1] - expect).norm() < 1e-13);  // the closed form is the limit
    BOOST_TEST(dl.transient_units == 0);
}

BOOST_AUTO_TEST_CASE(a_hurwitz_companion_grows_transiently_and_its_limit_says_so) {
    // Four poles near -0.05: the companion matrix is nearly a 4x4 Jordan block, and with Δ = 1
    // ||exp(T A)|| ~ e^(-0.05 T) T^3 / 6, about 500 at T = 20: (1/T) log σ_1 = 0.31 per token
    // for a stable unit. The QR method starts from Q_0 = I, so its leading estimate follows e_1,
    // which in the observable form (SO-Mamba's, A = companion(a)') takes the transient in full
    // (0.31 by a dense QR of exp(20 A) outside the program). The limit mean(Δ) max Re λ = -0.05
    // is exact at any horizon; the estimate approaches it as (3 log T) / T.
    std::mt19937 rng(29);
    for (Index T : {Index(20), Index(4000)}) {
        SelectiveLayer l = random_layer(StateForm::CompanionTransposed, 2, 4, T, rng);
        l.delta.setConstant(1.0);
        l.a.row(0) = poly({{-0.05, 0.0}, {-0.051, 0.0}, {-0.052, 0.0}, {-0.053, 0.0}}).transpose();
        const LayerLyapunov ly = layer_lyapunov(l);
        BOOST_TEST_CONTEXT("T = " << T) {
            BOOST_TEST(ly.unit_limits[0](0) == -0.05, tt::tolerance(1e-9));
            BOOST_TEST(ly.unit_limits[0](3) == -0.053, tt::tolerance(1e-9));
            const double estimate = ly.unit_exponents[0](0);
            if (T == 20) {
                BOOST_TEST(estimate > 0.2);
                BOOST_TEST(ly.transient_units >= 1);
            } else {
                BOOST_TEST(std::abs(estimate + 0.05) < 3 * std::log(double(T)) / double(T));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(grouped_steps_give_the_token_by_token_qr_exponents) {
    // The layer groups the commuting Ā_t of a unit into exponentials of their summed steps; the
    // QR method on each Ā_t by its own dense exponential (unit_steps) is the reference. Steps
    // large and small, poles real, complex and unstable, both companion forms.
    std::mt19937 rng(23);
    for (StateForm form : {StateForm::Companion, StateForm::CompanionTransposed}) {
        SelectiveLayer l = random_layer(form, 3, 5, 300, rng);
        l.a.row(1) =
            poly({{-0.2, 3.0}, {-0.2, -3.0}, {0.1, 0.0}, {-4.0, 1.0}, {-4.0, -1.0}}).transpose();
        l.delta.col(2) *= 0.01;
        const LayerLyapunov ly = layer_lyapunov(l);
        for (Index u = 0; u < 3; ++u) {
            const std::vector<ZohPair> steps = unit_steps(l, u);
            const Vector want = lyapunov_exponents(5, 300, [&](Index t, Matrix& At) {
                At = steps[static_cast<std::size_t>(t - 1)].Ad;
            });
            BOOST_TEST_CONTEXT(to_string(form) << " unit " << u) {
                const Vector& got = ly.unit_exponents[static_cast<std::size_t>(u)];
                BOOST_TEST((got - want).cwiseAbs().maxCoeff() <=
                           1e-10 * want.cwiseAbs().maxCoeff());
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(impulse_response_is_c_abar_power_k_bbar_of_the_frozen_system) {
    // The kernel against the literal powers of the frozen unit's sampled system (a dense
    // exponential, frozen_unit.hpp), every form, Euler and exact zero-order hold.
    std::mt19937 rng(31);
    for (StateForm form : {StateForm::Diagonal, StateForm::Scalar, StateForm::Companion,
                           StateForm::CompanionTransposed}) {
        const SelectiveLayer l = random_layer(form, 3, 4, 20, rng);
        for (Index u = 0; u < 3; ++u) {
            const Index token = 7 + u;
            ImpulseOptions o;
            o.keep = 60;
            const ImpulseResponse r = impulse_response(l, u, token, o);
            const FrozenUnit f = frozen_unit(l, u, token);
            Vector h = f.sampled.B;
            double peak = 0;
            std::vector<double> want;
            for (Index k = 0; k < r.kernel.size(); ++k) {
                want.push_back((f.sampled.C * h)(0));
                peak = std::max(peak, std::abs(want.back()));
                h = f.sampled.A * h;
            }
            BOOST_TEST_CONTEXT(to_string(form) << " unit " << u) {
                BOOST_TEST(r.kernel.size() > 1);
                for (Index k = 0; k < r.kernel.size(); ++k)
                    BOOST_TEST(std::abs(r.kernel(k) - want[static_cast<std::size_t>(k)]) <=
                               1e-11 * peak);
                // The decay rate is -Δ_t max Re λ(A).
                double alpha = -1e300;
                for (const auto& z : f.continuous.spectrum.eigenvalues)
                    alpha = std::max(alpha, z.real());
                BOOST_TEST(r.decay_rate == -f.delta * alpha, tt::tolerance(1e-9));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(memory_horizon_of_a_scalar_head_is_the_closed_form) {
    // Mamba-2's Ā = ā I gives K_k = ā^k (c·B̄): |K_k| >= tol |K_0| while k <= ln tol / ln ā,
    // so the horizon is floor(ln tol / ln ā) + 1. An unstable head has none, and says why.
    std::mt19937 rng(37);
    SelectiveLayer l = random_layer(StateForm::Scalar, 4, 8, 12, rng);
    l.a(1, 0) = -0.02;
    l.a(3, 0) = 0.05;
    for (double tol : {1e-3, 1e-6}) {
        ImpulseOptions o;
        o.tol = tol;
        for (Index u : {Index(0), Index(1), Index(2)}) {
            const double abar = std::exp(l.delta(5, u) * l.a(u, 0));
            const auto want = static_cast<Index>(std::floor(std::log(tol) / std::log(abar))) + 1;
            const ImpulseResponse r = impulse_response(l, u, 5, o);
            BOOST_TEST_CONTEXT("tol " << tol << " head " << u) {
                BOOST_REQUIRE(r.horizon.has_value());
                BOOST_TEST(*r.horizon == want);
                BOOST_TEST(r.decay_rate == -std::log(abar), tt::tolerance(1e-12));
            }
        }
        const ImpulseResponse unstable = impulse_response(l, 3, 5, o);
        BOOST_TEST(!unstable.horizon.has_value());
        BOOST_TEST(unstable.undefined_reason.find("does not decay") != std::string::npos);
    }
    // The layer's distribution is that of its units' horizons.
    const LayerMemory m = layer_memory(l, 5, 256);
    BOOST_TEST(m.units.size() == 4u);
    BOOST_TEST(m.undefined == 1);
    std::vector<Index> each;
    for (Index u : {Index(0), Index(1), Index(2)})
        each.push_back(*impulse_response(l, u, 5).horizon);
    BOOST_TEST(m.horizon_max == *std::max_element(each.begin(), each.end()));
    BOOST_TEST(m.horizon_min == *std::min_element(each.begin(), each.end()));
    BOOST_TEST(m.longest_unit == 1);  // the slowest head, a = -0.02
    BOOST_CHECK_THROW(impulse_response(l, 4, 0), InputError);
    BOOST_CHECK_THROW(impulse_response(l, 0, 12), InputError);
}

BOOST_AUTO_TEST_CASE(verify_divergent_holds_exactly_when_m_has_no_negative_eigenvalue) {
    // S_C = S_B gives M = S_Bᵀ S_B, positive semi-definite with N positive eigenvalues: the
    // convergent scenario is excluded. S_C = -S_B negates every eigenvalue; S_C = S_B diag(1,..,-1)
    // (one state's sign flipped) gives M = S_Bᵀ diag(1,..,-1) S_B, whose N nonzero eigenvalues are
    // those of diag(1,..,-1) S_B S_Bᵀ: one negative by Sylvester's law of inertia. A fixed b has no
    // criterion.
    std::mt19937 rng(41);
    SelectiveLayer l = random_layer(StateForm::Diagonal, 3, 4, 10, rng);
    const Matrix S = t::randn(4, 6, rng);
    l.S_B = {S};
    l.S_C = {S};
    BOOST_TEST(verify(trace_of(l), {Condition::Divergent}).holds());
    l.S_C = {-S};
    const VerifyResult neg = verify(trace_of(l), {Condition::Divergent});
    BOOST_REQUIRE_EQUAL(neg.violations.size(), 1u);
    BOOST_TEST(neg.violations[0].detail.find("no eigenvalue") != std::string::npos);
    Matrix flip = S;
    flip.row(3) *= -1;
    l.S_C = {flip};
    const VerifyResult one = verify(trace_of(l), {Condition::Divergent});
    BOOST_REQUIRE_EQUAL(one.violations.size(), 1u);
    BOOST_TEST(one.violations[0].detail.find("1 of 4 nonzero eigenvalues") != std::string::npos,
               one.violations[0].detail);
    l.S_B.clear();
    l.S_C.clear();
    l.b_fixed = true;
    l.B = {Matrix::Zero(1, 4)};
    l.B[0](0, 3) = 1.0;  // e_N
    const VerifyResult fixed = verify(trace_of(l), {Condition::Divergent});
    BOOST_REQUIRE_EQUAL(fixed.violations.size(), 1u);
    BOOST_TEST(fixed.violations[0].detail.find("b is fixed") != std::string::npos);
    BOOST_TEST((parse_condition("divergent") == Condition::Divergent));
}

BOOST_AUTO_TEST_CASE(malformed_layers_are_input_errors) {
    std::mt19937 rng(19);
    SelectiveLayer l = random_layer(StateForm::Diagonal, 3, 4, 5, rng);
    l.index = 7;
    l.delta(2, 1) = -0.1;
    BOOST_TEST(t::contains(t::input_error([&] { l.validate(); }),
                           "layer 7: the step Δ of channel 1 at token 2"));
    l.delta(2, 1) = 0.1;
    l.B[0](3, 0) = std::nan("");
    BOOST_TEST(t::contains(t::input_error([&] { l.validate(); }),
                           "layer 7: B at token 3, state 0 is not finite"));
    l.B[0](3, 0) = 0.0;
    l.C[0] = Matrix::Zero(5, 3);
    BOOST_TEST(t::contains(t::input_error([&] { l.validate(); }), "C is 5 x 3, expected 5 x 4"));
}

BOOST_AUTO_TEST_CASE(frozen_unit_samples_by_the_layers_rule) {
    std::mt19937 rng(11);
    for (StateForm form : {StateForm::Diagonal, StateForm::Companion}) {
        const SelectiveLayer l = random_layer(form, 3, 5, 7, rng);
        const Index u = 2, tok = 4;
        const FrozenUnit f = frozen_unit(l, u, tok);
        const double delta = l.delta(tok, u);
        BOOST_TEST(f.delta == delta);
        BOOST_TEST((f.system.A - l.A(u)).norm() == 0.0);
        BOOST_TEST((f.system.B - l.b(u, tok)).norm() == 0.0);
        BOOST_TEST((f.system.C.transpose() - l.c(u, tok)).norm() == 0.0);
        BOOST_REQUIRE(f.discrete);
        // The eigenvalues of exp(Δ A) are exp(Δ λ): compare the sorted moduli.
        std::vector<double> expected, got;
        for (const auto& z : l.eigenvalues(u))
            expected.push_back(std::abs(std::exp(delta * z)));
        for (const auto& z : f.discrete->spectrum.eigenvalues)
            got.push_back(std::abs(z));
        std::sort(expected.begin(), expected.end());
        std::sort(got.begin(), got.end());
        for (std::size_t i = 0; i < got.size(); ++i)
            BOOST_TEST(got[i] == expected[i], tt::tolerance(1e-10));
        BOOST_TEST(f.sampled.dt == delta);
        if (form == StateForm::Diagonal) {
            // Euler input: B̄ = Δ b.
            BOOST_TEST((f.sampled.B - delta * l.b(u, tok)).norm() == 0.0);
        } else {
            // Exact ZOH: A B̄ = (Ā - I) b, the integral of exp(As) b over [0, Δ].
            const Matrix lhs = l.A(u) * f.sampled.B;
            const Matrix rhs = (f.sampled.A - Matrix::Identity(5, 5)) * l.b(u, tok);
            BOOST_TEST((lhs - rhs).norm() <= 1e-12 * rhs.norm());
        }
        // The ranks are those of the pair itself, decided independently by the staircase.
        BOOST_TEST(f.continuous.ctrb->rank == ctrb_staircase(l.A(u), l.b(u, tok)).rank);
        BOOST_TEST(f.continuous.spectrum.stable());  // random_layer's A is Hurwitz
        BOOST_TEST(f.continuous.hsv.has_value());
    }
    const SelectiveLayer l = random_layer(StateForm::Diagonal, 3, 5, 7, rng);
    const std::string unit_error = t::input_error([&] { frozen_unit(l, 3, 0); });
    BOOST_TEST(unit_error.find("channel 3 does not exist (0 to 2)") != std::string::npos);
    const std::string token_error = t::input_error([&] { frozen_unit(l, 0, 7); });
    BOOST_TEST(token_error.find("token 7 is not in the probe (0 to 6)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_set_cancel_flag_stops_the_report_and_a_clear_one_changes_nothing) {
    std::mt19937 rng(5);
    const SelectiveLayer l = random_layer(StateForm::Companion, 8, 6, 40, rng);
    ProbeTrace trace = trace_of(l);
    trace.n_layer = 1;
    trace.hidden_norms = Matrix::Random(40, 2).cwiseAbs();
    CancelFlag flag{false};
    ReportOptions o;
    o.cancel = &flag;
    const CheckpointReport with = analyze_checkpoint(trace, o);
    const CheckpointReport without = analyze_checkpoint(trace);
    BOOST_TEST(with.layers.at(0).ranks.obsv.min == without.layers.at(0).ranks.obsv.min);
    BOOST_TEST(with.layers.at(0).lyapunov.largest == without.layers.at(0).lyapunov.largest);
    flag = true;
    BOOST_CHECK_THROW(analyze_checkpoint(trace, o), Cancelled);
    // Inside a stage: parallel_for polls the flag of its caller's scope on every thread.
    std::atomic<Index> ran{0};
    const CancelScope scope(&flag);
    BOOST_CHECK_THROW(parallel_for(1000, 2, [&](Index b, Index e) { ran += e - b; }), Cancelled);
    BOOST_TEST(ran.load() == 0);
    flag = false;
    parallel_for(1000, 2, [&](Index b, Index e) { ran += e - b; });
    BOOST_TEST(ran.load() == 1000);
    // An item body, as the kernels use it, polls the flag too and covers every index once.
    std::vector<int> seen(1000, 0);
    flag = true;
    BOOST_CHECK_THROW(
        parallel_for(1000, 2, [&](std::int64_t i) { ++seen[static_cast<std::size_t>(i)]; }),
        Cancelled);
    BOOST_TEST(std::count(seen.begin(), seen.end(), 1) == 0);
    flag = false;
    parallel_for(1000, 2, [&](std::int64_t i) { ++seen[static_cast<std::size_t>(i)]; });
    BOOST_TEST(std::count(seen.begin(), seen.end(), 1) == 1000);
    ran = 0;
    parallel_for(1000, 2, [&](Index b, Index e) { ran += e - b; });
    BOOST_TEST(ran.load() == 1000);
}
