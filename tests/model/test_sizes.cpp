// Parameter counts from the configuration alone equal the allocated models', and the Sparse
// variants are smaller than their base at equal sizes by exactly the rows they drop.
#include <boost/test/unit_test.hpp>

#include "model/config/sizes.hpp"
#include "model/config/tensor_shapes.hpp"
#include "model/nn/language_model.hpp"
#include "tests/model/fixtures.hpp"

using namespace ssmscope::model;
using namespace ssmscope::test;

BOOST_AUTO_TEST_CASE(counting_without_allocating_equals_the_model) {
    for (Arch arch : {Arch::Mamba, Arch::Mamba2, Arch::ScMamba, Arch::SoMamba, Arch::StMamba2}) {
        for (bool tied : {true, false}) {
            const ModelConfig c = tiny_config(arch, tied);
            BOOST_TEST(parameter_count(c).total == LanguageModel(c).parameter_count(),
                       arch_name(arch) << " tied=" << tied);
        }
    }
}

// The listing from the configuration alone is the allocated model's named_parameters(): every
// name, shape and the order, for every architecture and every option that adds or reshapes a
// tensor.
BOOST_AUTO_TEST_CASE(tensor_shapes_without_allocating_equal_the_model) {
    int checked = 0;
    for (Arch arch : {Arch::Mamba, Arch::Mamba2, Arch::ScMamba, Arch::SoMamba, Arch::StMamba2}) {
        for (int variant = 0; variant < 4; ++variant) {
            ModelConfig c = tiny_config(arch, variant % 2 == 0);
            c.n_layer = 2;
            c.proj_bias = variant == 1;
            c.conv_bias = variant != 2;
            if (c.mamba2_family() && variant == 3) {
                c.ngroups = 2;
                c.d_has_hdim = arch == Arch::Mamba2;
            }
            const std::vector<TensorShape> listed = parameter_shapes(c);
            LanguageModel m(c);
            const auto params = m.named_parameters();
            BOOST_TEST_REQUIRE(listed.size() == params.size(), arch_name(arch) << " " << variant);
            for (std::size_t i = 0; i < listed.size(); ++i) {
                BOOST_TEST(listed[i].name == params[i].key());
                BOOST_TEST(listed[i].shape == params[i].value().sizes().vec(), listed[i].name);
            }
            ++checked;
        }
    }
    BOOST_TEST(checked == 20);
}

BOOST_AUTO_TEST_CASE(mamba_count_by_hand) {
    // d_model 4, E 8, N 2, K 4, R 1, vocab 10 tied, one layer, no projection biases:
    // in_proj 16·4 = 64, conv 8·4 + 8 = 40, x_proj (1 + 4)·8 = 40, dt_proj 8 + 8 = 16,
    // A_log 16, D 8, out_proj 32, norm 4 → 220 per layer; embedding 40; norm_f 4.
    ModelConfig c;
    c.d_model = 4;
    c.n_layer = 1;
    c.vocab_size = 10;
    c.d_state = 2;
    c.dt_rank = 1;
    BOOST_TEST(parameter_count(c).per_layer == 220);
    BOOST_TEST(parameter_count(c).total == 264);
}

BOOST_AUTO_TEST_CASE(sparse_variants_are_smaller_at_equal_sizes) {
    ModelConfig c = tiny_config(Arch::Mamba);
    const std::int64_t base = parameter_count(c).total;
    for (Arch arch : {Arch::ScMamba, Arch::SoMamba}) {
        c.arch = arch;
        // x_proj loses the N rows of B (SC) or of C (SO), per channel and layer.
        BOOST_TEST(base - parameter_count(c).total == c.n_layer * c.d_state * c.d_inner());
    }
    ModelConfig c2 = tiny_config(Arch::Mamba2);
    const std::int64_t base2 = parameter_count(c2).total;
    c2.arch = Arch::StMamba2;
    // in_proj and conv lose the G·N rows of B; A gains N − 1 values per head.
    const std::int64_t gn = c2.ngroups * c2.d_state;
    BOOST_TEST(base2 - parameter_count(c2).total ==
               c2.n_layer *
                   (gn * c2.d_model + gn * (c2.d_conv + 1) - c2.nheads() * (c2.d_state - 1)));
}
