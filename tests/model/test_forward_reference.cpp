// Forward logits of Mamba-1, Falcon-Mamba and Mamba-2 checkpoints, Hugging Face and mamba_ssm
// layouts, against the naive double-precision loop of naive_reference.cpp: 1e-4 relative in
// float32.
#include <algorithm>
#include <cmath>

#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include "model/checkpoint/checkpoint.hpp"
#include "model/run/by_position.hpp"
#include "tests/model/fixtures.hpp"

using namespace ssmscope::model;
using namespace ssmscope::test;

namespace {

const std::vector<std::int64_t> kTokens{3, 17, 0, 55, 17, 9, 42, 3, 3, 28, 11};

// Relative difference of `logits` (L, vocab) from the naive loop's under config `n`.
double compare_logits(const torch::Tensor& logits, const NaiveConfig& n, LanguageModel& original) {
    const auto ref = naive_logits(n, naive_weights(original), kTokens);
    BOOST_REQUIRE_EQUAL(logits.size(0), static_cast<std::int64_t>(ref.size()));
    BOOST_REQUIRE_EQUAL(logits.size(1), static_cast<std::int64_t>(ref[0].size()));
    torch::Tensor r = torch::empty({logits.size(0), logits.size(1)}, torch::kFloat64);
    for (std::size_t l = 0; l < ref.size(); ++l) {
        for (std::size_t v = 0; v < ref[l].size(); ++v) {
            r[static_cast<std::int64_t>(l)][static_cast<std::int64_t>(v)] = ref[l][v];
        }
    }
    return rel_diff(logits, r);
}

// norm_groups 0: the gated norm's groups of the naive loop are the model's n_groups.
double compare_with_naive(const LoadedModel& loaded, LanguageModel& original,
                          std::int64_t norm_groups = 0) {
    torch::NoGradGuard no_grad;
    const torch::Tensor logits =
        loaded.model->forward(torch::tensor(kTokens).unsqueeze(0)).squeeze(0);
    NaiveConfig n = naive_config(loaded.config);
    if (norm_groups > 0)
        n.norm_groups = norm_groups;
    return compare_logits(logits, n, original);
}

}  // namespace

BOOST_AUTO_TEST_CASE(mamba1_huggingface_layout_matches_naive_loop) {
    for (bool tied : {true, false}) {
        auto m = tiny_model(Arch::Mamba, tied);
        TempDir dir;
        save_checkpoint(*m, dir.path());
        const LoadedModel loaded = load_checkpoint(dir.path());
        BOOST_TEST((loaded.config.layout == Layout::HuggingFace));
        BOOST_TEST((loaded.model->lm_head_weight().dtype() == torch::kFloat32));
        const double err = compare_with_naive(loaded, *m);
        BOOST_TEST_MESSAGE("mamba1 hf tied=" << tied << " rel err " << err);
        BOOST_TEST(err < 1e-4);
    }
}

BOOST_AUTO_TEST_CASE(mamba2_huggingface_layout_matches_naive_loop) {
    for (bool tied : {true, false}) {
        auto m = tiny_model(Arch::Mamba2, tied);
        TempDir dir;
        save_checkpoint(*m, dir.path());
        const double err = compare_with_naive(load_checkpoint(dir.path()), *m);
        BOOST_TEST_MESSAGE("mamba2 hf tied=" << tied << " rel err " << err);
        BOOST_TEST(err < 1e-4);
    }
}

BOOST_AUTO_TEST_CASE(original_mamba_ssm_layout_matches_naive_loop) {
    for (Arch arch : {Arch::Mamba, Arch::Mamba2}) {
        auto m = tiny_model(arch);
        TempDir dir;
        save_mamba_ssm_layout(*m, dir.path());
        const LoadedModel loaded = load_checkpoint(dir.path());
        BOOST_TEST((loaded.config.layout == Layout::MambaSsm));
        BOOST_TEST(loaded.config.vocab_size == 50);
        BOOST_TEST(loaded.config.padded_vocab() == 56);  // 50 rounded up to a multiple of 8
        const double err = compare_with_naive(loaded, *m);
        BOOST_TEST_MESSAGE(arch_name(arch) << " mamba_ssm rel err " << err);
        BOOST_TEST(err < 1e-4);
    }
}

BOOST_AUTO_TEST_CASE(falcon_mamba_normalises_dt_b_and_c_in_both_paths) {
    // transformers' FalconMambaMixer: rms_forward over the last dimension of the time-step input
    // (R), B and C (N each) right after x_proj's split, eps mixer_rms_eps, no weight. A large eps
    // makes a wrong eps visible too.
    torch::NoGradGuard no_grad;
    ModelConfig c = tiny_config(Arch::Mamba);
    c.mixer_rms_eps = 0.05;
    torch::manual_seed(11);
    auto m = std::make_shared<LanguageModel>(c);
    TempDir dir;
    save_checkpoint(*m, dir.path());
    const auto j = read_json(dir / "config.json");
    BOOST_TEST(j["model_type"] == "falcon_mamba");
    BOOST_TEST(j["architectures"][0] == "FalconMambaForCausalLM");
    BOOST_TEST(j["mixer_rms_eps"].get<double>() == 0.05);
    const LoadedModel loaded = load_checkpoint(dir.path());
    BOOST_TEST(loaded.config.falcon_mamba());
    BOOST_TEST(*loaded.config.mixer_rms_eps == 0.05);
    BOOST_TEST(architecture_name(loaded.config) == "falcon-mamba");

    const torch::Tensor tokens = torch::tensor(kTokens).unsqueeze(0);
    const torch::Tensor parallel = loaded.model->forward(tokens).squeeze(0);
    auto cache = loaded.model->new_cache(1);
    std::vector<torch::Tensor> steps;
    for (std::int64_t t = 0; t < tokens.size(1); ++t)
        steps.push_back(loaded.model->step(tokens.select(1, t), cache).squeeze(0));
    const torch::Tensor recurrent = torch::stack(steps, 0);
    NaiveConfig n = naive_config(loaded.config);
    BOOST_TEST(n.falcon);
    const double err_parallel = compare_logits(parallel, n, *m);
    const double err_recurrent = compare_logits(recurrent, n, *m);
    BOOST_TEST_MESSAGE("falcon-mamba rel err: parallel " << err_parallel << ", recurrent "
                                                         << err_recurrent);
    BOOST_TEST(err_parallel < 1e-4);
    BOOST_TEST(err_recurrent < 1e-4);

    // The norms matter: without them (a plain mamba of the same weights), or with another eps,
    // the logits move by far more than the tolerance.
    n.falcon = false;
    BOOST_TEST(compare_logits(parallel, n, *m) > 1e-2);
    n.falcon = true;
    n.mixer_rms_eps = 1e-6;
    BOOST_TEST(compare_logits(parallel, n, *m) > 1e-3);
    ModelConfig plain = c;
    plain.mixer_rms_eps.reset();
    LanguageModel same_weights(plain);
    const auto source = m->named_parameters();
    for (auto& item : same_weights.named_parameters())
        item.value().copy_(source[item.key()]);
    BOOST_TEST(rel_diff(same_weights.forward(tokens).squeeze(0), parallel) > 1e-2);
}

BOOST_AUTO_TEST_CASE(gated_norm_is_per_group_in_every_layout) {
    // Both layouts normalise within each of the 2 groups (mamba_ssm's RMSNormGated and
    // transformers' MambaRMSNormGated with group_size = d_inner / n_groups): the same weights give
    // the same logits from either file, and those of the naive loop, which normalises per group.
    // Normalising over the whole inner size instead would move them by far more than 1e-4.
    torch::NoGradGuard no_grad;
    auto m = tiny_model(Arch::Mamba2);
    BOOST_TEST(m->config().ngroups == 2);
    TempDir hf, original;
    save_checkpoint(*m, hf.path());
    save_mamba_ssm_layout(*m, original.path());
    const LoadedModel a = load_checkpoint(hf.path()), b = load_checkpoint(original.path());
    BOOST_TEST(a.config.ngroups == 2);
    const torch::Tensor tokens = torch::tensor(kTokens).unsqueeze(0);
    BOOST_TEST(torch::equal(a.model->forward(tokens), b.model->forward(tokens)));
    BOOST_TEST(compare_with_naive(a, *m) < 1e-4);
    // What the whole-size norm would give differs: the naive loop with one group.
    BOOST_TEST(compare_with_naive(a, *m, 1) > 1e-3);
}

BOOST_AUTO_TEST_CASE(fields_left_out_are_read_off_the_tensors) {
    for (Arch arch : {Arch::Mamba, Arch::Mamba2}) {
        auto m = tiny_model(arch);
        TempDir dir;
        save_checkpoint(*m, dir.path());
        auto j = read_json(dir / "config.json");
        j.erase("use_bias");
        j.erase("n_groups");
        write_json(dir / "config.json", j);
        const LoadedModel loaded = load_checkpoint(dir.path());
        BOOST_TEST(loaded.config.proj_bias == m->config().proj_bias);
        if (arch == Arch::Mamba2)
            BOOST_TEST(loaded.config.ngroups == m->config().ngroups);
    }
}

BOOST_AUTO_TEST_CASE(ssd_chunks_do_not_change_the_result) {
    // Chunk length 4 on 11 tokens (three chunks, the last padded) against one chunk of 64.
    torch::NoGradGuard no_grad;
    auto m = tiny_model(Arch::Mamba2);
    const torch::Tensor tokens = torch::tensor(kTokens).unsqueeze(0);
    const torch::Tensor chunked = m->forward(tokens);
    ModelConfig whole = m->config();
    whole.chunk_size = 64;
    TempDir dir;
    save_checkpoint(*m, dir.path());
    auto j = read_json(dir / "config.json");
    j["chunk_size"] = 64;
    write_json(dir / "config.json", j);
    const torch::Tensor single = load_checkpoint(dir.path()).model->forward(tokens);
    BOOST_TEST(rel_diff(chunked, single) < 1e-5);
}

BOOST_AUTO_TEST_CASE(loss_and_state_norm_by_position_match_the_naive_loop) {
    // eval --by-position runs the recurrent step; the naive loop's log-softmax at each position
    // and the norm of its state after each token are the reference (1e-4 relative in float32).
    // Bins of 4 average positions 0-3, 4-7, 8-9.
    for (Arch arch : {Arch::Mamba, Arch::Mamba2}) {
        auto m = tiny_model(arch, true);
        NaiveTrace trace;
        const auto ref =
            naive_logits(naive_config(m->config()), naive_weights(*m), kTokens, &trace);
        const PositionCurve c = evaluate_by_position(*m, kTokens, 4);
        BOOST_TEST_CONTEXT(arch_name(arch)) {
            BOOST_REQUIRE_EQUAL(c.start.size(), 3u);
            BOOST_TEST(c.predicted == static_cast<std::int64_t>(kTokens.size()) - 1);
            BOOST_TEST(c.first_non_finite == -1);
            double total = 0;
            for (std::size_t b = 0; b < 3; ++b) {
                double loss = 0;
                std::vector<double> norms(trace.layers.size(), 0.0);
                const auto first = static_cast<std::size_t>(c.start[b]);
                const auto count = static_cast<std::size_t>(c.count[b]);
                BOOST_TEST(first == 4 * b);
                BOOST_TEST(count == (b < 2 ? 4u : 2u));
                for (std::size_t p = first; p < first + count; ++p) {
                    double mx = -1e300, z = 0;
                    for (double v : ref[p])
                        mx = std::max(mx, v);
                    for (double v : ref[p])
                        z += std::exp(v - mx);
                    const double nll =
                        -(ref[p][static_cast<std::size_t>(kTokens[p + 1])] - mx - std::log(z));
                    loss += nll;
                    total += nll;
                    for (std::size_t l = 0; l < norms.size(); ++l)
                        norms[l] += trace.layers[l].state_norm[p];
                }
                loss /= static_cast<double>(count);
                BOOST_TEST(std::abs(c.loss[b] - loss) <= 1e-4 * std::abs(loss));
                for (std::size_t l = 0; l < norms.size(); ++l) {
                    const double want = norms[l] / static_cast<double>(count);
                    BOOST_TEST(std::abs(c.state_norm[b][l] - want) <= 1e-4 * want);
                }
            }
            BOOST_TEST(std::abs(c.nll_mean - total / 10.0) <= 1e-4 * total / 10.0);
        }
    }
}
