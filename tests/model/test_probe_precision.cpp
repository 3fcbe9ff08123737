// The probe's forward in float32 against the same forward in double (model/probe/probe.hpp,
// docs/numbers.md §1(a)). For Mamba and Mamba-2 (Mamba-2's tiny model with two groups), on tiny
// models and on the bundled samples, every verdict of the report is the same (ranks per unit,
// reachable ranks, stability of every unit, Gramian orders, the signs of the Lyapunov exponents,
// the criterion's signs, every token's behaviour across depth), and the continuous quantities
// differ by no more than float32 rounding carried through the layers: so the default (Auto) runs
// them in float32. For the companion forms it is not so (the ST-Mamba-2 sample has a frozen
// observability rank at its tolerance), and Auto runs them in double.
#include <algorithm>
#include <cmath>
#include <filesystem>

#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include "analysis/checkpoint_report.hpp"
#include "model/checkpoint/checkpoint.hpp"
#include "model/probe/probe.hpp"
#include "model/tokenizer/load_tokenizer.hpp"
#include "tests/model/fixtures.hpp"
#include "tests/support/cli_run.hpp"

using namespace ssmscope::model;
using namespace ssmscope::test;
namespace an = ssmscope::analysis;
namespace fs = std::filesystem;

namespace {

an::CheckpointReport report_in(LanguageModel& m, const std::vector<std::int64_t>& tokens,
                               ProbePrecision precision) {
    ProbeOptions o;
    o.precision = precision;
    return an::analyze_checkpoint(probe(m, tokens, o));
}

// The largest differences in the continuous quantities, over everything compared.
struct Largest {
    double exponent = 0;  // absolute, of any unit's Lyapunov exponents
    double hsv = 0;       // relative, of the largest Hankel singular value of a sample
    double log_gain = 0;  // absolute, of a layer's end-to-end log gain
};

const std::vector<std::int64_t> kTokens = {3,  17, 4, 40, 9,  1, 22, 5,  30, 11, 2,  8,
                                           13, 6,  0, 27, 19, 4, 33, 12, 7,  25, 16, 1};

struct Sample {
    LoadedModel loaded;
    std::vector<std::int64_t> tokens;  // samples/probe.txt
};

Sample sample(const char* arch) {
    const fs::path dir = fs::path(SSMSCOPE_SOURCE_DIR) / "samples" / arch;
    const std::string text = slurp(dir.parent_path() / "probe.txt");
    return {load_checkpoint(dir), load_tokenizer(dir)->encode(text)};
}

// Exponents closer to zero than this have no sign to compare (a marginal unit).
constexpr double kSignFloor = 1e-6;

void compare(const an::CheckpointReport& d, const an::CheckpointReport& f, Largest& largest) {
    BOOST_REQUIRE_EQUAL(d.layers.size(), f.layers.size());
    for (std::size_t i = 0; i < d.layers.size(); ++i) {
        const an::LayerReport& a = d.layers[i];
        const an::LayerReport& b = f.layers[i];
        BOOST_TEST_CONTEXT("layer " << a.index) {
            BOOST_TEST(a.ranks.ctrb.unit_min_rank == b.ranks.ctrb.unit_min_rank,
                       boost::test_tools::per_element());
            BOOST_TEST(a.ranks.obsv.unit_min_rank == b.ranks.obsv.unit_min_rank,
                       boost::test_tools::per_element());
            BOOST_TEST(a.ranks.ctrb.fraction_full == b.ranks.ctrb.fraction_full);
            BOOST_TEST(a.ranks.obsv.fraction_full == b.ranks.obsv.fraction_full);
            BOOST_TEST(a.reachable.unit_rank == b.reachable.unit_rank,
                       boost::test_tools::per_element());
            BOOST_REQUIRE_EQUAL(a.stability.units.size(), b.stability.units.size());
            for (std::size_t u = 0; u < a.stability.units.size(); ++u) {
                BOOST_TEST((a.stability.units[u].continuous == b.stability.units[u].continuous));
                BOOST_TEST((a.stability.units[u].discrete == b.stability.units[u].discrete));
            }
            BOOST_TEST(a.gramians.defined == b.gramians.defined);
            BOOST_TEST(a.gramians.order_min == b.gramians.order_min);
            BOOST_TEST(a.gramians.order_max == b.gramians.order_max);
            BOOST_REQUIRE_EQUAL(a.gramians.samples.size(), b.gramians.samples.size());
            for (std::size_t s = 0; s < a.gramians.samples.size(); ++s) {
                const auto& ha = a.gramians.samples[s].hsv;
                const auto& hb = b.gramians.samples[s].hsv;
                BOOST_REQUIRE(ha.has_value() == hb.has_value());
                if (ha && ha->size() > 0 && (*ha)(0) > 0) {
                    largest.hsv = std::max(largest.hsv, std::abs((*hb)(0) - (*ha)(0)) / (*ha)(0));
                }
            }
            BOOST_REQUIRE_EQUAL(a.lyapunov.unit_exponents.size(), b.lyapunov.unit_exponents.size());
            for (std::size_t u = 0; u < a.lyapunov.unit_exponents.size(); ++u) {
                const an::Vector& ea = a.lyapunov.unit_exponents[u];
                const an::Vector& eb = b.lyapunov.unit_exponents[u];
                BOOST_REQUIRE_EQUAL(ea.size(), eb.size());
                for (an::Index k = 0; k < ea.size(); ++k) {
                    largest.exponent = std::max(largest.exponent, std::abs(ea(k) - eb(k)));
                    if (std::abs(ea(k)) > kSignFloor)
                        BOOST_TEST((ea(k) > 0) == (eb(k) > 0));
                }
            }
            BOOST_REQUIRE_EQUAL(a.tokens_dynamics.groups.size(), b.tokens_dynamics.groups.size());
            for (std::size_t g = 0; g < a.tokens_dynamics.groups.size(); ++g) {
                BOOST_TEST(a.tokens_dynamics.groups[g].positive ==
                           b.tokens_dynamics.groups[g].positive);
                BOOST_TEST(a.tokens_dynamics.groups[g].negative ==
                           b.tokens_dynamics.groups[g].negative);
            }
            BOOST_TEST((a.tokens_dynamics.predicted == b.tokens_dynamics.predicted));
        }
    }
    BOOST_TEST((d.trajectories.behaviour == f.trajectories.behaviour));
    BOOST_REQUIRE_EQUAL(d.sensitivity.size(), f.sensitivity.size());
    for (std::size_t s = 0; s < d.sensitivity.size(); ++s) {
        for (std::size_t l = 0; l < d.sensitivity[s].layer_log_gain.size(); ++l) {
            largest.log_gain = std::max(
                largest.log_gain,
                std::abs(d.sensitivity[s].layer_log_gain[l] - f.sensitivity[s].layer_log_gain[l]));
        }
    }
}

void check_bounds(const Largest& largest, const char* what) {
    BOOST_TEST_MESSAGE(what << ": largest differences float32 vs double forward: Lyapunov "
                               "exponent "
                            << largest.exponent << ", largest HSV (relative) " << largest.hsv
                            << ", end-to-end log gain " << largest.log_gain);
    BOOST_TEST(largest.exponent < 1e-4);
    BOOST_TEST(largest.hsv < 1e-3);
    // The rounding runs move the stream by 2^-8 and 2^-11; float32 noise (2^-24) on top of that
    // is 2^-13 of the difference at the start, amplified as much as the difference itself is.
    BOOST_TEST(largest.log_gain < 1e-2);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_float32_forward_gives_the_verdicts_of_a_double_one_on_tiny_models) {
    Largest largest;
    for (Arch arch : {Arch::Mamba, Arch::Mamba2}) {
        BOOST_TEST_CONTEXT(arch_name(arch)) {
            for (std::uint64_t seed : {7u, 8u, 9u}) {
                auto m = tiny_model(arch, true, seed);
                compare(report_in(*m, kTokens, ProbePrecision::Double),
                        report_in(*m, kTokens, ProbePrecision::Float32), largest);
            }
        }
    }
    check_bounds(largest, "tiny Mamba and Mamba-2 models");
}

BOOST_AUTO_TEST_CASE(a_float32_forward_gives_the_verdicts_of_a_double_one_on_the_samples) {
    Largest largest;
    for (const char* arch : {"mamba", "mamba2"}) {
        BOOST_TEST_CONTEXT(arch) {
            const Sample s = sample(arch);
            compare(report_in(*s.loaded.model, s.tokens, ProbePrecision::Double),
                    report_in(*s.loaded.model, s.tokens, ProbePrecision::Float32), largest);
        }
    }
    check_bounds(largest, "Mamba and Mamba-2 samples");
}

// Auto: float32 where the cases above show the verdicts keep, double for the companion forms,
// whose report is then the double one to the bit.
BOOST_AUTO_TEST_CASE(auto_precision_is_float32_for_diagonal_a_and_double_for_companion_forms) {
    for (const char* arch : {"mamba", "mamba2", "sc-mamba", "so-mamba", "st-mamba2"}) {
        BOOST_TEST_CONTEXT(arch) {
            const Sample s = sample(arch);
            const bool diagonal = std::string(arch) == "mamba" || std::string(arch) == "mamba2";
            const an::ProbeTrace automatic = probe(*s.loaded.model, s.tokens);
            BOOST_TEST(automatic.forward_precision == (diagonal ? "float32" : "float64"));
            ProbeOptions o;
            o.precision = diagonal ? ProbePrecision::Float32 : ProbePrecision::Double;
            const an::ProbeTrace chosen = probe(*s.loaded.model, s.tokens, o);
            BOOST_TEST((automatic.hidden_norms == chosen.hidden_norms));
            BOOST_TEST((automatic.layers.back().delta == chosen.layers.back().delta));
        }
    }
}
