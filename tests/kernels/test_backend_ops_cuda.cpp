// The conformance table of test_backend_ops.cpp on the CUDA kernels (cuda_backend.hpp): every
// op on every case of its trait, in double and float, y, the final state and every gradient
// against the same references as the CPU kernels (the tolerance of the CPU plus that of CUDA
// against the CPU), against the CPU kernels in the same dtype, and the calls the contract or the
// CUDA limits forbid, refused. Exits with 77 (skipped) where the CUDA runtime sees no device.
#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include "tests/kernels/backend_ops_runner.hpp"
#include "tests/kernels/cuda_backend.hpp"

using namespace ssmscope;
using namespace ssmscope::test;

namespace {

using Ops = boost::mpl::list<SelectiveScanOp, SsdScanOp, ModalScanOp>;

template <class Op, class T>
void check_dtype(const Prepared<Op>& p) {
    const Run gpu = run<Op, T>(cuda_kernels<Op, T>(), p, 0);
    BOOST_TEST_CONTEXT("against the references") {
        check_against_references(p, gpu, pick<T>(Op::kCpu) + pick<T>(Op::kCudaVsCpu), false);
    }
    BOOST_TEST_CONTEXT("against the CPU") {
        check_close(p, gpu, run<Op, T>(Op::template cpu<T>(), p, 0), pick<T>(Op::kCudaVsCpu));
    }
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(SkipWithoutDevice);

BOOST_AUTO_TEST_SUITE(backend_ops_cuda)

BOOST_AUTO_TEST_CASE_TEMPLATE(forward_and_gradients_match_the_references_and_the_cpu, Op, Ops) {
    std::uint64_t seed = 1;
    for (const auto& c : Op::cases()) {
        const Prepared<Op> p = prepare<Op>(c, seed++, true);
        BOOST_TEST_CONTEXT(p.label) {
            BOOST_TEST_CONTEXT("cuda double") {
                check_dtype<Op, double>(p);
            }
            BOOST_TEST_CONTEXT("cuda float") {
                check_dtype<Op, float>(p);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(bad_calls_are_refused, Op, Ops) {
    check_rejections<Op, double>(cuda_kernels<Op, double>(), Where::CudaOnly);
    check_rejections<Op, float>(cuda_kernels<Op, float>(), Where::CudaOnly);
}

BOOST_AUTO_TEST_SUITE_END()
