// The recurrent one-token path (generation) equals the parallel forward (training) for every
// architecture, on a batch of two different sequences.
#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include "tests/model/fixtures.hpp"

using namespace ssmscope::model;
using namespace ssmscope::test;

BOOST_AUTO_TEST_CASE(step_equals_forward_for_every_architecture) {
    torch::NoGradGuard no_grad;
    const torch::Tensor tokens = torch::tensor(
        {{3, 17, 0, 55, 17, 9, 42, 3, 3, 28, 11}, {8, 8, 1, 2, 54, 30, 7, 7, 19, 0, 5}});
    for (Arch arch : {Arch::Mamba, Arch::Mamba2, Arch::ScMamba, Arch::SoMamba, Arch::StMamba2}) {
        auto m = tiny_model(arch);
        const torch::Tensor parallel = m->forward(tokens);
        auto cache = m->new_cache(tokens.size(0));
        std::vector<torch::Tensor> steps;
        for (std::int64_t t = 0; t < tokens.size(1); ++t) {
            steps.push_back(m->step(tokens.select(1, t), cache));
        }
        const double err = rel_diff(torch::stack(steps, 1), parallel);
        BOOST_TEST_MESSAGE(arch_name(arch) << ": step vs forward rel err " << err);
        BOOST_TEST(err < 1e-5, arch_name(arch) << ": " << err);
    }
}
