// Agreement with an established control toolbox: GNU Octave's control package computed the
// values in tests/data/octave_lti_reference.json (generator: tests/reference/, fixed seeds).
// The systems include Kalman-decomposed ones behind similarity transforms, unstable ones and
// ill-conditioned diagonal ones.
#include <algorithm>
#include <fstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "analysis/lti_report.hpp"
#include "analysis/state_space.hpp"
#include "tests/support/systems.hpp"

using namespace ssmscope::analysis;
using Cx = std::complex<double>;
using nlohmann::json;

namespace {

Matrix mat(const json& j) {
    Matrix M(j.at("rows").get<Index>(), j.at("cols").get<Index>());
    const auto& data = j.at("data");
    // jsonencode writes a 1-element array as a bare number.
    if (data.is_number()) {
        M(0, 0) = data.get<double>();
        return M;
    }
    for (Index k = 0; k < M.size(); ++k)
        M.data()[k] = data.at(k).get<double>();  // column-major
    return M;
}

json load() {
    std::ifstream in(SSMSCOPE_SOURCE_DIR "/tests/data/octave_lti_reference.json");
    BOOST_REQUIRE(in);
    return json::parse(in);
}

// Each reference eigenvalue must have a computed one within tol * max(1, |lambda|).
double eig_err(const std::vector<Cx>& ours, const Matrix& ref) {
    double worst = 0.0;
    for (Index i = 0; i < ref.rows(); ++i) {
        const Cx l(ref(i, 0), ref(i, 1));
        double best = 1e300;
        for (Cx o : ours)
            best = std::min(best, std::abs(o - l) / std::max(1.0, std::abs(l)));
        worst = std::max(worst, best);
    }
    return worst;
}

}  // namespace

BOOST_AUTO_TEST_CASE(lti_reports_agree_with_octave_control) {
    const json cases = load();
    BOOST_TEST(cases.size() >= 25u);
    for (const json& c : cases) {
        const std::string name = c.at("name");
        BOOST_TEST_CONTEXT(name) {
            const StateSpace sys =
                make_ss(mat(c["A"]), mat(c["B"]), mat(c["C"]), Matrix(), c["dt"].get<double>());
            const LtiReport r = analyze_lti(sys);

            BOOST_TEST(r.spectrum.eigenvalues.size() == static_cast<std::size_t>(sys.n()));
            BOOST_TEST(eig_err(r.spectrum.eigenvalues, mat(c["eig"])) < 1e-8);
            BOOST_TEST(r.spectrum.stable() == c["stable"].get<bool>());
            BOOST_TEST(r.ctrb->rank == c["ctrb_rank"].get<int>());
            BOOST_TEST(r.obsv->rank == c["obsv_rank"].get<int>());
            BOOST_TEST(*r.minimal_order == c["minimal_order"].get<int>());
            // The SVD rank of the Krylov matrix is what MATLAB's rank(ctrb(A, B)) gives.
            BOOST_TEST(r.ctrb->svd.rank == c["ctrb_rank_svd"].get<int>());

            if (!c["stable"].get<bool>()) {
                BOOST_TEST(!r.gram_c.defined());
                BOOST_TEST(!r.gram_o.defined());
                BOOST_TEST(!r.hsv.has_value());
                continue;
            }
            BOOST_REQUIRE(r.gram_c.defined() && r.gram_o.defined() && r.hsv);
            const Matrix Wc = mat(c["gram_c"]), Wo = mat(c["gram_o"]), h = mat(c["hsv"]);
            const double ec = (*r.gram_c.W - Wc).norm() / Wc.norm();
            const double eo = (*r.gram_o.W - Wo).norm() / Wo.norm();
            BOOST_TEST_MESSAGE(name << ": Gramian errors " << ec << ", " << eo);
            BOOST_TEST(ec < 1e-8);
            BOOST_TEST(eo < 1e-8);
            BOOST_REQUIRE(r.hsv->size() == h.rows());
            for (Index i = 0; i < h.rows(); ++i) {
                // 1e-8 relative to each value; a value that is zero in exact arithmetic (the
                // non-minimal part of a Kalman-decomposed system) or below 1e-12 of the largest
                // (the diagonal systems reach 1e-23) is only determined to rounding relative to
                // the largest one.
                BOOST_TEST(std::abs((*r.hsv)(i)-h(i, 0)) <= 1e-8 * h(i, 0) + 1e-12 * h(0, 0));
            }
        }
    }
}
