// Eigenvalues, spectral abscissa and radius, and the stability verdict, on matrices whose
// spectra are known in closed form.
#include <algorithm>
#include <cmath>

#include <boost/test/unit_test.hpp>

#include "analysis/canonical.hpp"
#include "analysis/spectrum.hpp"
#include "tests/support/systems.hpp"

using namespace ssmscope::analysis;
using C = std::complex<double>;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(companion_of_s2_3s_2_has_poles_minus_one_and_minus_two) {
    Matrix A(2, 2);
    A << 0, 1, -2, -3;
    const Spectrum s = spectrum(A, false);
    BOOST_TEST(s.eigenvalues.size() == 2u);
    BOOST_TEST(s.eigenvalues[0].real() == -1.0, tt::tolerance(1e-14));  // descending real part
    BOOST_TEST(s.eigenvalues[1].real() == -2.0, tt::tolerance(1e-14));
    BOOST_TEST(s.spectral_abscissa == -1.0, tt::tolerance(1e-14));
    BOOST_TEST(s.spectral_radius == 2.0, tt::tolerance(1e-14));
    BOOST_TEST(s.stable());
}

BOOST_AUTO_TEST_CASE(oscillator_is_marginal_in_continuous_time) {
    const double w = 3.0;
    Matrix A(2, 2);
    A << 0, -w, w, 0;
    const Spectrum s = spectrum(A, false);
    BOOST_TEST(s.eigenvalues[0].imag() == w, tt::tolerance(1e-14));  // +iw before -iw
    BOOST_TEST(s.eigenvalues[1].imag() == -w, tt::tolerance(1e-14));
    BOOST_TEST(std::abs(s.spectral_abscissa) < 1e-14);
    BOOST_TEST(s.stability == Stability::Marginal);
}

BOOST_AUTO_TEST_CASE(integrator_is_marginal_and_shifted_right_is_unstable) {
    BOOST_TEST(spectrum(Matrix::Zero(1, 1), false).stability == Stability::Marginal);
    Matrix A(2, 2);
    A << 0.5, 1, 0, -1;
    const Spectrum s = spectrum(A, false);
    BOOST_TEST(s.stability == Stability::Unstable);
    BOOST_TEST(s.spectral_abscissa == 0.5, tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(discrete_time_uses_the_unit_circle) {
    // A rotation by 0.7 rad scaled by r has eigenvalues r e^(+-0.7i).
    const auto rotation = [](double r) {
        Matrix A(2, 2);
        A << std::cos(0.7), -std::sin(0.7), std::sin(0.7), std::cos(0.7);
        return Matrix(r * A);
    };
    const Spectrum inside = spectrum(rotation(0.5), true);
    BOOST_TEST(inside.spectral_radius == 0.5, tt::tolerance(1e-14));
    BOOST_TEST(inside.stable());
    BOOST_TEST(std::arg(inside.eigenvalues[0]) == 0.7, tt::tolerance(1e-13));
    BOOST_TEST(spectrum(rotation(1.0), true).stability == Stability::Marginal);
    BOOST_TEST(spectrum(rotation(1.01), true).stability == Stability::Unstable);
    // The same matrix read as continuous time: Re = 0.5 cos 0.7 > 0.
    BOOST_TEST(spectrum(rotation(0.5), false).stability == Stability::Unstable);
}

BOOST_AUTO_TEST_CASE(balancing_keeps_badly_scaled_companion_spectra_accurate) {
    // (s+1)...(s+16): coefficients up to 16! = 2e13. Unbalanced, eps * ||A|| alone is 5e-3, and
    // for random poles in [-16, -1] (coefficients near 1e19) whole eigenvalues land in the right
    // half-plane. These roots are sensitive (Wilkinson) but stay within 1e-4 of the truth here.
    const std::vector<C> poles = ssmscope::test::poles_minus_one_to(16);
    const Spectrum s = spectrum(companion(poly(poles)), false);
    BOOST_TEST(s.stable());
    BOOST_TEST(s.spectral_abscissa == -1.0, tt::tolerance(1e-4));
    for (C p : poles) {
        double nearest = 1e300;
        for (C l : s.eigenvalues)
            nearest = std::min(nearest, std::abs(l - p));
        BOOST_TEST(nearest < 1e-3);
    }
    // Well-separated complex poles are recovered to 1e-7.
    std::vector<C> spread;
    for (int i = 1; i <= 8; ++i) {
        spread.emplace_back(-0.5 * i, 0.3 * i);
        spread.emplace_back(-0.5 * i, -0.3 * i);
    }
    for (C l : spectrum(companion(poly(spread)), false).eigenvalues) {
        double nearest = 1e300;
        for (C p : spread)
            nearest = std::min(nearest, std::abs(l - p));
        BOOST_TEST(nearest < 1e-7);
    }
}
