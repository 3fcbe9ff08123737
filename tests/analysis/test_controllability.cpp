// Controllability and observability ranks: textbook pairs, systems uncontrollable or unobservable
// by construction behind a change of coordinates, and the ill-conditioned Krylov case where the
// SVD is fooled and the staircase is not.
#include <cmath>
#include <complex>
#include <random>

#include <Eigen/LU>
#include <boost/test/unit_test.hpp>

#include "analysis/canonical.hpp"
#include "analysis/controllability.hpp"
#include "analysis/ctrb.hpp"
#include "analysis/tolerance.hpp"
#include "tests/support/systems.hpp"

using namespace ssmscope::analysis;
namespace t = ssmscope::test;

BOOST_AUTO_TEST_CASE(krylov_matrices_of_a_textbook_pair) {
    Matrix A(2, 2), B(2, 1), C(1, 2);
    A << 0, 1, -2, -3;
    B << 0, 1;
    C << 1, 0;
    Matrix K(2, 2), O(2, 2);
    K << 0, 1, 1, -3;  // [B, AB]
    O << 1, 0, 0, 1;   // [C; CA]
    BOOST_TEST(ctrb(A, B).isApprox(K));
    BOOST_TEST(obsv(A, C).isApprox(O));
}

BOOST_AUTO_TEST_CASE(jordan_block_is_controllable_only_from_its_last_state) {
    Matrix A(2, 2);
    A << 1, 1, 0, 1;
    const RankDecision last = ctrb_rank(A, Vector::Unit(2, 1));
    const RankDecision first = ctrb_rank(A, Vector::Unit(2, 0));
    BOOST_TEST(last.rank == 2);
    BOOST_TEST(last.full());
    BOOST_TEST(first.rank == 1);
    BOOST_TEST(!first.disagree);  // all three see the missing direction
    BOOST_TEST(first.svd.rank == 1);
    BOOST_TEST(first.pbh.rank == 1);
}

BOOST_AUTO_TEST_CASE(ranks_survive_a_change_of_coordinates) {
    std::mt19937 rng(3);
    struct Shape {
        Index co, cno, nco, ncno, m, p;
    };
    const Shape shapes[] = {{2, 1, 1, 1, 1, 1}, {3, 0, 2, 0, 2, 1}, {1, 2, 0, 2, 1, 2},
                            {2, 2, 2, 2, 2, 2}, {4, 1, 0, 0, 1, 1}, {2, 0, 0, 3, 1, 1}};
    for (const Shape& s : shapes) {
        for (int trial = 0; trial < 5; ++trial) {
            const StateSpace k = t::kalman(s.co, s.cno, s.nco, s.ncno, s.m, s.p, rng);
            const StateSpace sys = t::transform(k, t::similarity(k.n(), rng));
            // The SVD and PBH test with the staircase's tolerance: on these small systems all
            // three agree (at the SVD's own default, max(rows, cols) eps, the rounding left in
            // the zero blocks and amplified by the powers of A often counts as rank).
            const double tol = default_structural_tol();
            const RankDecision c = ctrb_rank(sys.A, sys.B, tol), o = obsv_rank(sys.A, sys.C, tol);
            BOOST_TEST(c.rank == s.co + s.cno);
            BOOST_TEST(o.rank == s.co + s.nco);
            BOOST_TEST(c.svd.rank == c.rank);
            BOOST_TEST(o.svd.rank == o.rank);
            BOOST_TEST(c.pbh.rank == c.rank);
            BOOST_TEST(o.pbh.rank == o.rank);
            BOOST_TEST(!c.disagree);
            BOOST_TEST(!o.disagree);
        }
    }
}

BOOST_AUTO_TEST_CASE(observability_is_controllability_of_the_dual) {
    std::mt19937 rng(4);
    const StateSpace sys = t::kalman(2, 1, 2, 1, 1, 2, rng);
    const RankDecision o = obsv_rank(sys.A, sys.C);
    const RankDecision c = ctrb_rank(sys.A.transpose(), sys.C.transpose());
    BOOST_TEST(o.rank == c.rank);
    BOOST_TEST(o.staircase.block_sizes == c.staircase.block_sizes);
}

BOOST_AUTO_TEST_CASE(stable_diagonal_system_fools_the_svd_not_the_staircase) {
    // A = -diag(1..16), B = ones: distinct eigenvalues and every mode driven, so controllable
    // (PBH proves it mode by mode), yet the Krylov matrix [B, AB, ..] is a Vandermonde matrix
    // with columns growing to 16^15 and looks rank-deficient to an SVD.
    const Index n = 16;
    Matrix A = Matrix::Zero(n, n);
    for (Index i = 0; i < n; ++i)
        A(i, i) = -static_cast<double>(i + 1);
    const RankDecision d = ctrb_rank(A, Vector::Ones(n));
    BOOST_TEST(d.rank == 16);
    BOOST_TEST(d.pbh.rank == 16);
    BOOST_TEST(d.svd.rank < 16);
    BOOST_TEST(d.disagree);
    // Each block of the staircase is one state: a single input reaches one new direction per step.
    BOOST_TEST(d.staircase.block_sizes == std::vector<int>(16, 1));
    for (const PbhMode& mode : d.pbh.modes)
        BOOST_TEST(mode.residual > 1e-3);
}

BOOST_AUTO_TEST_CASE(the_tolerance_decides_nearly_equal_modes) {
    // diag(-1, -1 - d) driven by [1; 1] is controllable for every d != 0, and d away from
    // uncontrollable. In the basis [1 1; 1 -1] / sqrt(2) that B fixes, the coupling that the
    // staircase tests is d / 2, compared with ||A||_F = sqrt(1 + (1 + d)^2).
    const double d = 1e-6;
    const Matrix A = Vector(Eigen::Vector2d(-1.0, -1.0 - d)).asDiagonal();
    const Vector B = Vector::Ones(2);
    const Staircase strict = ctrb_staircase(A, B);  // default tol sqrt(eps) = 1.5e-8 < 3.5e-7
    BOOST_TEST(strict.rank == 2);
    BOOST_TEST(strict.kept_min == (d / 2) / A.norm(), boost::test_tools::tolerance(1e-6));
    const Staircase loose = ctrb_staircase(A, B, 1e-4);
    BOOST_TEST(loose.rank == 1);
    BOOST_TEST(loose.tol == 1e-4);
    BOOST_TEST(loose.dropped_max == (d / 2) / A.norm(), boost::test_tools::tolerance(1e-6));
    BOOST_TEST(loose.kept_min == 1.0,
               boost::test_tools::tolerance(1e-12));  // B itself, against ||B||
    BOOST_TEST(loose.gap == 1.0 / ((d / 2) / A.norm()), boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(badly_scaled_companion_forms_are_balanced_before_the_staircase) {
    // (s+1)(s+2)...(s+16): coefficients up to 16! = 2e13 beside the unit superdiagonal. The pair
    // (companion(a), e_N) is controllable by construction and its transpose observable.
    const Matrix A = companion(poly(t::poles_minus_one_to(16)));
    const Vector e = Vector::Unit(16, 15);
    BOOST_TEST(ctrb_staircase(A, e).rank == 16);
    BOOST_TEST(obsv_staircase(A.transpose(), e.transpose()).rank == 16);
}

BOOST_AUTO_TEST_CASE(pbh_names_the_uncontrollable_mode) {
    // diag(-1, -2, -3) with the third state not driven: the mode at -3 is lost.
    const Matrix A = Vector(Eigen::Vector3d(-1, -2, -3)).asDiagonal();
    const Vector B = Eigen::Vector3d(1, 1, 0);
    const PbhReport p = pbh_ctrb(A, B);
    BOOST_TEST(p.rank == 2);
    BOOST_TEST(p.modes.size() == 3u);
    for (const PbhMode& mode : p.modes) {
        const bool lost = std::abs(mode.eigenvalue - std::complex<double>(-3, 0)) < 1e-12;
        BOOST_TEST(mode.deficiency == (lost ? 1 : 0));
        if (lost)
            BOOST_TEST(mode.residual < 1e-15);
    }
}

BOOST_AUTO_TEST_CASE(repeated_eigenvalue_with_one_input_reaches_one_direction) {
    // A = -I: every vector is an eigenvector, one input reaches span(B) only.
    const RankDecision d = ctrb_rank(-Matrix::Identity(4, 4), Eigen::Vector4d(1, 2, 3, 4));
    BOOST_TEST(d.rank == 1);
    BOOST_TEST(d.svd.rank == 1);
    BOOST_TEST(d.pbh.rank == 1);  // one cluster of multiplicity 4, deficiency 3
    BOOST_TEST(d.pbh.modes.size() == 1u);
    BOOST_TEST(d.pbh.modes[0].multiplicity == 4);
}

BOOST_AUTO_TEST_CASE(a_triple_eigenvalue_with_two_eigenvectors_is_one_pbh_mode) {
    // A = T J T^-1, J = [-6 1 0; 0 -6 0; 0 0 -6] (eigenvalue -6 three times, two eigenvectors),
    // B = T [e2 e3]: controllable (the Jordan chain is driven from its last state, the third
    // mode directly), exact rank 3. Rounded, the copies of -6 scatter by 1e-4 (the 2x2 block's
    // sqrt(eps)); these digits once came out as a pair and a single, and the pair's mean, off
    // by its spread, was charged that spread and lost a rank. Then 40 random T, and the same
    // with only e2 driven: the third mode is lost, exact rank 2.
    Matrix A(3, 3), B(3, 2);
    A << 5245.0777735123465, 3116.332364059968, -7056.057957473982, 369.3983016462019,
        213.22506812898658, -496.37349478155585, 4070.9679312792314, 2415.978140961712,
        -5476.302841641332;
    B << -0.5315249470251602, 0.7442031251457859, 0.6211963732164166, -1.1766429584197382,
        -0.12152750716346146, 0.03416326206751611;
    const RankDecision d = ctrb_rank(A, B);
    BOOST_TEST(d.rank == 3);
    BOOST_TEST(d.pbh.rank == 3);
    BOOST_TEST(!d.disagree);
    BOOST_REQUIRE(d.pbh.modes.size() == 1u);
    BOOST_TEST(d.pbh.modes[0].multiplicity == 3);
    BOOST_TEST(std::abs(d.pbh.modes[0].eigenvalue - std::complex<double>(-6, 0)) < 1e-9);

    Matrix J(3, 3), E(3, 2);
    J << -6, 1, 0, 0, -6, 0, 0, 0, -6;
    E << 0, 0, 1, 0, 0, 1;
    std::mt19937 rng(3);
    for (int trial = 0; trial < 40; ++trial) {
        const Matrix T = t::randn(3, 3, rng);
        const Matrix AT = T * J * T.inverse();
        BOOST_TEST_CONTEXT("trial " << trial) {
            const RankDecision both = ctrb_rank(AT, T * E);
            BOOST_TEST(both.pbh.rank == 3);
            BOOST_TEST(both.rank == 3);
            const RankDecision one = ctrb_rank(AT, T * E.col(0));
            BOOST_TEST(one.pbh.rank == 2);
            BOOST_TEST(one.rank == 2);
        }
    }
}

BOOST_AUTO_TEST_CASE(generic_two_input_pair_has_two_blocks_of_two) {
    std::mt19937 rng(5);
    const Staircase st = ctrb_staircase(t::randn(4, 4, rng), t::randn(4, 2, rng));
    BOOST_TEST(st.rank == 4);
    BOOST_TEST(st.block_sizes == std::vector<int>({2, 2}));
}
