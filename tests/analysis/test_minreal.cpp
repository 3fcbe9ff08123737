// Minimal realisations: the order of a Kalman-decomposed system is its controllable and
// observable part, in any coordinates, and the transfer function is unchanged.
#include <boost/test/unit_test.hpp>

#include "analysis/minreal.hpp"
#include "tests/support/systems.hpp"

using namespace ssmscope::analysis;
namespace t = ssmscope::test;

BOOST_AUTO_TEST_CASE(order_is_the_controllable_and_observable_part) {
    std::mt19937 rng(15);
    struct Shape {
        Index co, cno, nco, ncno, m, p;
    };
    const Shape shapes[] = {{2, 1, 1, 1, 1, 1},
                            {3, 0, 2, 0, 2, 1},
                            {1, 2, 0, 2, 1, 2},
                            {2, 2, 2, 2, 2, 2},
                            {0, 2, 2, 0, 1, 1}};
    for (const Shape& s : shapes) {
        const StateSpace k = t::kalman(s.co, s.cno, s.nco, s.ncno, s.m, s.p, rng);
        const StateSpace sys = t::transform(k, t::similarity(k.n(), rng));
        const Minreal r = minreal(sys);
        BOOST_TEST(r.order == s.co);
        BOOST_TEST(r.sys.n() == s.co);
        const Matrix h = t::markov(sys, 2 * k.n());
        if (s.co == 0) {
            // No state is both controllable and observable: the transfer function is zero.
            BOOST_TEST(h.cwiseAbs().maxCoeff() < 1e-10);
        } else {
            BOOST_TEST(t::rel_err(t::markov(r.sys, 2 * k.n()), h) < 1e-9);
        }
    }
}

BOOST_AUTO_TEST_CASE(pole_zero_cancellation_is_removed) {
    // (s + 1) / ((s + 1)(s + 2)) = 1 / (s + 2): order 1 in controllable canonical form.
    Matrix A(2, 2);
    A << 0, 1, -2, -3;
    const StateSpace sys{A, Vector::Unit(2, 1), (Matrix(1, 2) << 1, 1).finished(),
                         Matrix::Zero(1, 1), 0.0};
    const Minreal r = minreal(sys);
    BOOST_TEST(r.order == 1);
    BOOST_TEST(r.sys.A(0, 0) == -2.0, boost::test_tools::tolerance(1e-12));
}
