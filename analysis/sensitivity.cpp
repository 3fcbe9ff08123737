#include "analysis/sensitivity.hpp"

#include <cmath>
#include <limits>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

namespace {

// Least-squares slope of the finite values of y against their index.
double slope(const Vector& y) {
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (Index t = 0; t < y.size(); ++t) {
        if (!std::isfinite(y(t)))
            continue;
        const double x = static_cast<double>(t);
        n += 1;
        sx += x;
        sy += y(t);
        sxx += x * x;
        sxy += x * y(t);
    }
    const double den = n * sxx - sx * sx;
    return n >= 2 && den > 0 ? (n * sxy - sx * sy) / den : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

std::vector<Sensitivity> sensitivity(const ProbeTrace& trace) {
    std::vector<Sensitivity> out;
    const std::size_t depth = trace.hidden.size();
    if (depth < 2)
        return out;
    const Index tokens = trace.hidden[0].rows();
    for (const PerturbedRun& p : trace.perturbed) {
        if (p.hidden.size() != depth)
            throw InputError(str("perturbed run ", p.name, " has ", p.hidden.size(),
                                 " hidden states, expected ", depth));
        Sensitivity s;
        s.name = p.name;
        s.unit_roundoff = p.unit_roundoff;
        const Matrix din = p.hidden[0] - trace.hidden[0];
        s.input_relative = din.norm() / trace.hidden[0].norm();
        // ||δ h_0[0..t]||, cumulative over the tokens.
        Vector din_upto(tokens);
        double acc = 0;
        for (Index t = 0; t < tokens; ++t) {
            acc += din.row(t).squaredNorm();
            din_upto(t) = std::sqrt(acc);
        }
        const Index layers = static_cast<Index>(depth) - 1;
        s.token_log_gain.resize(tokens, layers);
        for (Index l = 0; l < layers; ++l) {
            const Matrix dout = p.hidden[static_cast<std::size_t>(l + 1)] -
                                trace.hidden[static_cast<std::size_t>(l + 1)];
            s.layer_log_gain.push_back(std::log(dout.norm() / din.norm()));
            for (Index t = 0; t < tokens; ++t) {
                s.token_log_gain(t, l) = din_upto(t) > 0
                                             ? std::log(dout.row(t).norm() / din_upto(t))
                                             : std::numeric_limits<double>::quiet_NaN();
            }
            s.layer_sequence_slope.push_back(slope(s.token_log_gain.col(l)));
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace ssmscope::analysis
