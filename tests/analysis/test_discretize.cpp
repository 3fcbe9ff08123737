// Zero-order hold against its closed forms.
#include <cmath>

#include <boost/test/unit_test.hpp>

#include "analysis/discretize.hpp"
#include "base/error.hpp"

using namespace ssmscope;
using namespace ssmscope::analysis;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(scalar_system) {
    // x' = a x + b u: Ad = e^(a dt), Bd = (e^(a dt) - 1) / a * b.
    const double a = -1.7, b = 0.4, dt = 0.3;
    const ZohPair d = zoh(Matrix::Constant(1, 1, a), Matrix::Constant(1, 1, b), dt);
    BOOST_TEST(d.Ad(0, 0) == std::exp(a * dt), tt::tolerance(1e-15));
    BOOST_TEST(d.Bd(0, 0) == std::expm1(a * dt) / a * b, tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(double_integrator_needs_no_inverse_of_a) {
    // A is singular; Ad = [1 dt; 0 1], Bd = [dt^2 / 2; dt].
    Matrix A(2, 2);
    A << 0, 1, 0, 0;
    const double dt = 0.25;
    const ZohPair d = zoh(A, Vector::Unit(2, 1), dt);
    Matrix Ad(2, 2);
    Ad << 1, dt, 0, 1;
    BOOST_TEST((d.Ad - Ad).norm() < 1e-15);
    BOOST_TEST(d.Bd(0, 0) == dt * dt / 2, tt::tolerance(1e-14));
    BOOST_TEST(d.Bd(1, 0) == dt, tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(oscillator) {
    // x' = [0 w; -w 0] x + [0; 1] u: Ad is a rotation, Bd = [(1 - cos w dt) / w; sin(w dt) / w].
    const double w = 2.0, dt = 0.1;
    Matrix A(2, 2);
    A << 0, w, -w, 0;
    const ZohPair d = zoh(A, Vector::Unit(2, 1), dt);
    BOOST_TEST(d.Ad(0, 0) == std::cos(w * dt), tt::tolerance(1e-14));
    BOOST_TEST(d.Ad(0, 1) == std::sin(w * dt), tt::tolerance(1e-14));
    BOOST_TEST(d.Bd(0, 0) == (1 - std::cos(w * dt)) / w, tt::tolerance(1e-12));
    BOOST_TEST(d.Bd(1, 0) == std::sin(w * dt) / w, tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(c2d_keeps_c_and_d_and_sets_the_sample_time) {
    const StateSpace sys = make_ss(Matrix::Constant(1, 1, -1.0), Matrix::Constant(1, 1, 1.0),
                                   Matrix::Constant(1, 1, 2.0), Matrix::Constant(1, 1, 3.0));
    const StateSpace d = c2d(sys, 0.5);
    BOOST_TEST(d.dt == 0.5);
    BOOST_TEST(d.C(0, 0) == 2.0);
    BOOST_TEST(d.D(0, 0) == 3.0);
    BOOST_CHECK_THROW(c2d(d, 0.5), InputError);
    BOOST_CHECK_THROW(c2d(sys, -1.0), InputError);
}
