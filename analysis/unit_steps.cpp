#include "analysis/unit_steps.hpp"

#include <cmath>

#include "base/cancel.hpp"

namespace ssmscope::analysis {

std::vector<ZohPair> unit_steps(const SelectiveLayer& l, Index u) {
    const Matrix A = l.A(u), I = Matrix::Identity(l.n, l.n);
    std::vector<ZohPair> steps;
    steps.reserve(static_cast<std::size_t>(l.tokens()));
    for (Index t = 0; t < l.tokens(); ++t) {
        if (t % 256 == 0)
            throw_if_cancelled();  // one matrix exponential per token adds up on long probes
        const double d = l.delta(t, u);
        ZohPair p = zoh(A, I, d);
        if (!l.exact_zoh)
            p.Bd = d * I;
        steps.push_back(std::move(p));
    }
    return steps;
}

double input_gain(double a, double delta, bool exact_zoh) {
    if (!exact_zoh || a == 0.0)
        return delta;
    return std::expm1(delta * a) / a;  // expm1 keeps the small-Δa limit Δ accurate
}

}  // namespace ssmscope::analysis
