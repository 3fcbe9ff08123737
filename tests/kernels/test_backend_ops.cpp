// The conformance table of the CPU kernels (after ggml's test-backend-ops): every op of
// kernels/ on every case its trait generates (ops_*.hpp), on every CPU path it has (one per
// instruction set for the selective scan's lanes), in double and float:
//   - y and the final state against the naive loop (naive.hpp);
//   - every gradient against central differences of the naive loop (small cases) or the double
//     backward (the others), and along a random direction against the naive loop (all cases);
//   - 1 thread against 2, bit for bit, forward and every gradient;
//   - the step kernel fed token by token against the scan, bit for bit;
//   - the calls the contract forbids, refused with std::invalid_argument.
// test_backend_ops_cuda.cpp runs the same table on the CUDA kernels. cpu_isa_numerics.cpp adds
// the checks of the CPU lanes that are no table: special functions over their range, NaN.
#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include "tests/kernels/backend_ops_runner.hpp"
#include "tests/kernels/ops_modal_scan.hpp"
#include "tests/kernels/ops_selective_scan.hpp"
#include "tests/kernels/ops_ssd_scan.hpp"

using namespace ssmscope;
using namespace ssmscope::test;

namespace {

using Ops = boost::mpl::list<SelectiveScanOp, SsdScanOp, ModalScanOp>;

// Runs `body(case)` for every case of Op on every CPU path, in the context of its label.
template <class Op, class F>
void for_each_case_and_path(bool with_references, F&& body) {
    const IsaGuard guard;
    std::uint64_t seed = 1;
    for (const auto& c : Op::cases()) {
        const Prepared<Op> p = prepare<Op>(c, seed++, with_references);
        BOOST_TEST_CONTEXT(p.label) {
            for (kernels::CpuIsa isa : cpu_paths<Op>()) {
                kernels::set_cpu_isa(isa);
                BOOST_TEST_CONTEXT("cpu " << kernels::to_string(isa)) {
                    body(p);
                }
            }
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(backend_ops_cpu)

BOOST_AUTO_TEST_CASE_TEMPLATE(forward_and_gradients_match_the_references, Op, Ops) {
    for_each_case_and_path<Op>(true, [](const Prepared<Op>& p) {
        BOOST_TEST_CONTEXT("double") {
            // Where the reference is the CPU double backward, this run is that reference.
            check_against_references(p, run<Op, double>(Op::template cpu<double>(), p, 0),
                                     pick<double>(Op::kCpu), !p.central);
        }
        BOOST_TEST_CONTEXT("float") {
            check_against_references(p, run<Op, float>(Op::template cpu<float>(), p, 0),
                                     pick<float>(Op::kCpu), false);
        }
    });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(thread_count_does_not_change_results, Op, Ops) {
    for_each_case_and_path<Op>(false, [](const Prepared<Op>& p) {
        BOOST_TEST_CONTEXT("double") {
            const auto k = Op::template cpu<double>();
            check_bitwise(run<Op, double>(k, p, 1), run<Op, double>(k, p, 2));
        }
        BOOST_TEST_CONTEXT("float") {
            const auto k = Op::template cpu<float>();
            check_bitwise(run<Op, float>(k, p, 1), run<Op, float>(k, p, 2));
        }
    });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(step_continues_the_scan_bitwise, Op, Ops) {
    for_each_case_and_path<Op>(false, [](const Prepared<Op>& p) {
        BOOST_TEST_CONTEXT("double") {
            check_step<Op, double>(Op::template cpu<double>(), p);
        }
        BOOST_TEST_CONTEXT("float") {
            check_step<Op, float>(Op::template cpu<float>(), p);
        }
    });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(bad_calls_are_refused, Op, Ops) {
    check_rejections<Op, double>(Op::template cpu<double>(), Where::CpuOnly);
    check_rejections<Op, float>(Op::template cpu<float>(), Where::CpuOnly);
}

BOOST_AUTO_TEST_SUITE_END()
