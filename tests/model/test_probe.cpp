// model/probe: the selective parameters and residual streams it hands to analysis/ against the
// independent double-precision loops, and the structural facts of each architecture that the
// report must surface (docs/numbers.md §4(f)).
#include <cmath>

#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include "analysis/checkpoint_report.hpp"
#include "base/error.hpp"
#include "model/probe/probe.hpp"
#include "tests/model/fixtures.hpp"
#include "tests/support/input_error.hpp"

using namespace ssmscope::model;
using namespace ssmscope::test;
namespace an = ssmscope::analysis;

namespace {

const std::vector<std::int64_t> kTokens = {3, 17, 4, 40, 9, 1, 22, 5, 30, 11, 2, 8};

// max |a - b| over max |b|, a from the probe, b from the loops.
double rel(const an::Matrix& a, const NaiveMatrix& b, std::int64_t first = 0,
           std::int64_t cols = -1) {
    double diff = 0, scale = 0;
    for (an::Index t = 0; t < a.rows(); ++t) {
        for (an::Index j = 0; j < a.cols(); ++j) {
            const double ref = b[static_cast<std::size_t>(t)][static_cast<std::size_t>(first + j)];
            diff = std::max(diff, std::abs(a(t, j) - ref));
            scale = std::max(scale, std::abs(ref));
        }
    }
    BOOST_TEST(a.cols() == (cols < 0 ? static_cast<an::Index>(b[0].size()) : cols));
    return diff / scale;
}

// The forward in double, whatever the architecture: these cases compare with double loops.
ProbeOptions in_double() {
    ProbeOptions o;
    o.precision = ProbePrecision::Double;
    return o;
}

// Every frozen system cross-checked and given Gramians: the models are small.
an::CheckpointReport report_of(Arch arch) {
    auto m = tiny_model(arch);
    an::ReportOptions all;
    all.cross_check_pairs = 1 << 20;
    all.gramian_pairs = 1 << 20;
    return an::analyze_checkpoint(probe(*m, kTokens), all);
}

}  // namespace

BOOST_AUTO_TEST_CASE(probe_matches_the_naive_loops) {
    for (Arch arch : {Arch::Mamba, Arch::Mamba2}) {
        BOOST_TEST_CONTEXT(arch_name(arch)) {
            auto m = tiny_model(arch);
            NaiveTrace ref;
            naive_logits(naive_config(m->config()), naive_weights(*m), kTokens, &ref);
            const an::ProbeTrace p = probe(*m, kTokens, in_double());
            BOOST_REQUIRE_EQUAL(p.layers.size(), 2u);
            // Every token's norm at every depth against the loops' residual streams.
            BOOST_REQUIRE_EQUAL(p.hidden_norms.cols(), 3);
            BOOST_REQUIRE_EQUAL(p.hidden_norms.rows(), static_cast<an::Index>(kTokens.size()));
            for (std::size_t k = 0; k < ref.hidden.size(); ++k) {
                for (std::size_t t = 0; t < kTokens.size(); ++t) {
                    double sq = 0;
                    for (double v : ref.hidden[k][t])
                        sq += v * v;
                    const double got =
                        p.hidden_norms(static_cast<an::Index>(t), static_cast<an::Index>(k));
                    BOOST_TEST(std::abs(got - std::sqrt(sq)) < 1e-12 * std::sqrt(sq));
                }
            }
            const std::int64_t n = m->config().d_state;
            for (std::size_t i = 0; i < 2; ++i) {
                const an::SelectiveLayer& l = p.layers[i];
                BOOST_TEST(rel(l.delta, ref.layers[i].delta) < 1e-12);
                BOOST_TEST(!l.b_fixed);
                BOOST_TEST(!l.c_fixed);
                for (std::size_t g = 0; g < l.B.size(); ++g) {
                    const auto first = static_cast<std::int64_t>(g) * n;
                    BOOST_TEST(rel(l.B[g], ref.layers[i].B, first, n) < 1e-12);
                    BOOST_TEST(rel(l.C[g], ref.layers[i].C, first, n) < 1e-12);
                }
                BOOST_TEST(l.B.size() == (arch == Arch::Mamba2 ? 2u : 1u));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(probe_leaves_the_model_as_it_was) {
    auto m = tiny_model(Arch::StMamba2);
    torch::NoGradGuard no_grad;
    const torch::Tensor ids = torch::tensor(kTokens).unsqueeze(0);
    const torch::Tensor before = m->forward(ids);
    probe(*m, kTokens);
    BOOST_TEST((m->backbone->embeddings->weight.scalar_type() == torch::kFloat32));
    BOOST_TEST(torch::equal(m->forward(ids), before));
}

BOOST_AUTO_TEST_CASE(the_fixed_vectors_and_the_token_projections) {
    auto m = tiny_model(Arch::Mamba);
    ProbeOptions only1;
    only1.layers = {1};
    const an::ProbeTrace p = probe(*m, kTokens, only1);
    BOOST_REQUIRE_EQUAL(p.layers.size(), 1u);
    const an::SelectiveLayer& l = p.layers[0];
    BOOST_TEST(l.index == 1);
    // b_t = S_B x_t: the rows of x_proj after the dt_rank rows; the token x_t is not recorded, so
    // check that S_B and S_C are those rows, read through the module independently.
    const torch::Tensor w = m->mixer(1).named_parameters()["x_proj.weight"].to(torch::kDouble);
    const std::int64_t r = m->config().dt_rank, n = m->config().d_state;
    BOOST_REQUIRE_EQUAL(l.S_B.size(), 1u);
    for (std::int64_t i = 0; i < n; ++i) {
        for (std::int64_t j = 0; j < w.size(1); ++j) {
            BOOST_TEST(l.S_B[0](i, j) == w[r + i][j].item<double>());
            BOOST_TEST(l.S_C[0](i, j) == w[r + n + i][j].item<double>());
        }
    }
    for (Arch arch : {Arch::ScMamba, Arch::StMamba2}) {
        const an::ProbeTrace q = probe(*tiny_model(arch), kTokens);
        BOOST_TEST(q.layers[0].b_fixed);
        BOOST_TEST((q.layers[0].b(0, 5) == an::Vector::Unit(4, 3)));
        BOOST_TEST(q.layers[0].S_B.empty());
    }
    const an::ProbeTrace so = probe(*tiny_model(Arch::SoMamba), kTokens);
    BOOST_TEST(so.layers[0].c_fixed);
    BOOST_TEST((so.layers[0].form == an::StateForm::CompanionTransposed));
}

BOOST_AUTO_TEST_CASE(sc_mamba_is_controllable_at_every_token) {
    const an::CheckpointReport r = report_of(Arch::ScMamba);
    for (const an::LayerReport& l : r.layers) {
        const an::FrozenRanks& c = l.ranks.ctrb;
        BOOST_TEST(c.min == 4);
        BOOST_TEST(c.fraction_full == 1.0);
        BOOST_TEST(c.pairs == 32 * 12);
        // Every pair is cross-checked, and the staircase and PBH agree.
        BOOST_TEST(c.cross_checked == c.pairs);
        BOOST_TEST(c.pbh_disagreements == 0);
        BOOST_TEST(c.staircase_disagreements == 0);
    }
}

BOOST_AUTO_TEST_CASE(so_mamba_is_observable_at_every_token) {
    const an::CheckpointReport r = report_of(Arch::SoMamba);
    for (const an::LayerReport& l : r.layers) {
        BOOST_TEST(l.ranks.obsv.min == 4);
        BOOST_TEST(l.ranks.obsv.fraction_full == 1.0);
        BOOST_TEST(l.ranks.obsv.pbh_disagreements == 0);
    }
}

BOOST_AUTO_TEST_CASE(mamba2_frozen_single_input_rank_is_one_at_every_token) {
    const an::CheckpointReport r = report_of(Arch::Mamba2);
    for (const an::LayerReport& l : r.layers) {
        BOOST_TEST(l.unit_name == "head");
        BOOST_TEST(l.ranks.ctrb.min == 1);
        BOOST_TEST(l.ranks.ctrb.max == 1);
        BOOST_TEST(l.ranks.obsv.max == 1);
        BOOST_TEST(l.ranks.ctrb.fraction_full == 0.0);
        // The staircase and PBH on the dense scalar A agree with the closed form.
        BOOST_TEST(l.ranks.ctrb.staircase_disagreements == 0);
        BOOST_TEST(l.ranks.ctrb.pbh_disagreements == 0);
        // Over the sequence the changing b_t reach more than the one frozen direction.
        BOOST_TEST(l.reachable.max > 1);
        // A = a I with a < 0: stable, and the Lyapunov exponents are a mean(Δ), all equal.
        BOOST_TEST(l.stability.unstable_continuous == 0);
        const an::Vector& e = l.lyapunov.unit_exponents[0];
        BOOST_TEST(e(0) == e(3), boost::test_tools::tolerance(1e-12));
    }
}

BOOST_AUTO_TEST_CASE(mamba_ranks_closed_form_agrees_with_the_staircase) {
    const an::CheckpointReport r = report_of(Arch::Mamba);
    for (const an::LayerReport& l : r.layers) {
        BOOST_TEST(std::string(l.ranks.ctrb.method) == "pbh-diagonal");
        BOOST_TEST(l.ranks.ctrb.cross_checked == l.ranks.ctrb.pairs);
        BOOST_TEST(l.ranks.ctrb.staircase_disagreements == 0);
        BOOST_TEST(l.ranks.obsv.staircase_disagreements == 0);
        BOOST_TEST(l.ranks.ctrb.min == 4);  // A_log = log(1..N): distinct eigenvalues
        BOOST_TEST(l.gramians.defined == l.gramians.sampled);
        BOOST_TEST(l.tokens_dynamics.groups.size() == 1u);
        BOOST_TEST(l.tokens_dynamics.groups[0].nonzero_eigenvalues.size() <= 4u);
    }
    BOOST_TEST(r.trajectories.norms.rows() == 12);
    BOOST_TEST(r.trajectories.norms.cols() == 3);
}

BOOST_AUTO_TEST_CASE(st_mamba2_is_stable_and_controllable) {
    const an::CheckpointReport r = report_of(Arch::StMamba2);
    for (const an::LayerReport& l : r.layers) {
        BOOST_TEST(l.stability.unstable_continuous == 0);
        BOOST_TEST(l.stability.worst_abscissa < 0);
        BOOST_TEST(l.stability.worst_radius < 1);
        BOOST_TEST(l.ranks.ctrb.min == 4);
        BOOST_TEST(std::string(l.lyapunov.method) == "qr");
        BOOST_TEST(l.lyapunov.largest < 0);
        BOOST_TEST(!l.tokens_dynamics.not_applicable.empty());
    }
}

BOOST_AUTO_TEST_CASE(rounding_the_embeddings_moves_them_by_at_most_the_unit_roundoff) {
    const an::CheckpointReport r = report_of(Arch::Mamba);
    BOOST_REQUIRE_EQUAL(r.sensitivity.size(), 2u);
    for (const an::Sensitivity& s : r.sensitivity) {
        BOOST_TEST_CONTEXT(s.name) {
            BOOST_TEST(s.input_relative > 0.0);
            BOOST_TEST(s.input_relative <= s.unit_roundoff);
            BOOST_TEST(s.layer_log_gain.size() == 2u);
            BOOST_TEST(std::isfinite(s.layer_log_gain[1]));
        }
    }
    BOOST_TEST(r.sensitivity[0].name == "bf16");
    BOOST_TEST(r.sensitivity[0].input_relative > r.sensitivity[1].input_relative);
}

// The three runs go through the layers as one batch, one block in double at a time: their
// difference norms equal those of separate forwards of the whole model converted to double.
BOOST_AUTO_TEST_CASE(the_batched_rounding_runs_equal_separate_double_forwards) {
    for (Arch arch : {Arch::Mamba, Arch::Mamba2, Arch::ScMamba}) {
        BOOST_TEST_CONTEXT(arch_name(arch)) {
            auto m = tiny_model(arch);
            const an::ProbeTrace p = probe(*m, kTokens, in_double());
            torch::NoGradGuard no_grad;
            m->to(torch::kDouble);
            const torch::Tensor e = m->backbone->embeddings(torch::tensor(kTokens).unsqueeze(0));
            std::vector<torch::Tensor> base, rounded;
            m->backbone_forward(e, &base);
            BOOST_REQUIRE_EQUAL(p.perturbed.size(), 2u);
            const torch::ScalarType types[] = {torch::kBFloat16, torch::kHalf};
            for (std::size_t k = 0; k < 2; ++k) {
                rounded.clear();
                m->backbone_forward(e.to(types[k]).to(torch::kDouble), &rounded);
                BOOST_REQUIRE_EQUAL(rounded.size(), base.size());
                for (std::size_t l = 0; l < base.size(); ++l) {
                    const torch::Tensor want = (rounded[l][0] - base[l][0]).norm(2, {1});
                    for (std::size_t t = 0; t < kTokens.size(); ++t) {
                        const double w = want[static_cast<std::int64_t>(t)].item<double>();
                        const double got = p.perturbed[k].diff_norms(static_cast<an::Index>(t),
                                                                     static_cast<an::Index>(l));
                        BOOST_TEST(std::abs(got - w) <= 1e-9 * w + 1e-14);
                    }
                }
            }
            m->to(torch::kFloat32);
        }
    }
}

BOOST_AUTO_TEST_CASE(bad_probes_are_input_errors) {
    auto m = tiny_model(Arch::Mamba);
    BOOST_TEST(contains(input_error([&] { probe(*m, {}); }), "no tokens"));
    const std::vector<std::int64_t> many(static_cast<std::size_t>(kDefaultMaxProbeTokens + 1), 1);
    BOOST_TEST(contains(input_error([&] { probe(*m, many); }), "4097 tokens, more than the 4096"));
    BOOST_TEST(contains(input_error([&] { probe(*m, {1, 56}); }), "token 56 at position 1"));
    ProbeOptions layer2;
    layer2.layers = {2};
    BOOST_TEST(contains(input_error([&] { probe(*m, kTokens, layer2); }),
                        "layer 2 does not exist: the model has 2 layers"));
}

// Each requested layer is handed over after its own forward pass and before the next layer's;
// analysing the handed layers one by one (ReportBuilder) is the report of the whole trace, and
// a probe that keeps no layer hands over the same ones.
BOOST_AUTO_TEST_CASE(each_layer_is_handed_over_before_the_next_runs) {
    for (Arch arch : {Arch::Mamba, Arch::Mamba2, Arch::ScMamba, Arch::StMamba2}) {
        BOOST_TEST_CONTEXT(arch_name(arch)) {
            auto m = tiny_model(arch);
            const std::int64_t n_layer = m->config().n_layer;
            BOOST_REQUIRE_GE(n_layer, 2);
            std::vector<std::string> events;
            an::ReportOptions all;
            all.cross_check_pairs = 1 << 20;
            all.gramian_pairs = 1 << 20;
            an::ReportBuilder builder(all, static_cast<std::size_t>(n_layer));
            std::vector<an::SelectiveLayer> handed;
            ProbeOptions o;
            o.keep_layers = false;
            o.progress = [&](const std::string& stage, double) {
                events.push_back(stage);
                return true;
            };
            o.on_layer = [&](const an::SelectiveLayer& l, std::size_t done, std::size_t total) {
                BOOST_TEST(done == handed.size() + 1);
                BOOST_TEST(total == static_cast<std::size_t>(n_layer));
                events.push_back("handed " + std::to_string(l.index));
                handed.push_back(l);
                builder.add(l);
            };
            const an::ProbeTrace streamed = probe(*m, kTokens, o);
            BOOST_TEST(streamed.layers.empty());
            std::vector<std::string> expected;
            for (std::int64_t i = 0; i < n_layer; ++i) {
                expected.push_back("layer " + std::to_string(i) + " of " + std::to_string(n_layer));
                expected.push_back("handed " + std::to_string(i));
            }
            BOOST_TEST(events == expected, boost::test_tools::per_element());

            const an::ProbeTrace kept = probe(*m, kTokens);
            BOOST_REQUIRE_EQUAL(kept.layers.size(), handed.size());
            BOOST_TEST((streamed.hidden_norms == kept.hidden_norms));
            const an::CheckpointReport whole = an::analyze_checkpoint(kept, all);
            const an::CheckpointReport built = builder.finish(streamed);
            BOOST_REQUIRE_EQUAL(built.layers.size(), whole.layers.size());
            for (std::size_t i = 0; i < handed.size(); ++i) {
                BOOST_TEST((handed[i].delta == kept.layers[i].delta));
                const an::LayerReport &a = built.layers[i], &b = whole.layers[i];
                BOOST_TEST(a.index == b.index);
                BOOST_TEST(a.ranks.ctrb.unit_min_rank == b.ranks.ctrb.unit_min_rank,
                           boost::test_tools::per_element());
                BOOST_TEST(a.ranks.obsv.unit_min_rank == b.ranks.obsv.unit_min_rank,
                           boost::test_tools::per_element());
                BOOST_TEST(a.reachable.unit_rank == b.reachable.unit_rank,
                           boost::test_tools::per_element());
                BOOST_TEST(a.reachable.unit_gap == b.reachable.unit_gap,
                           boost::test_tools::per_element());
                BOOST_TEST(a.lyapunov.largest == b.lyapunov.largest);
            }
            BOOST_TEST(built.trajectories.log_growth == whole.trajectories.log_growth,
                       boost::test_tools::per_element());
        }
    }
}
