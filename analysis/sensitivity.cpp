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
    const Index depth = trace.hidden_norms.cols(), tokens = trace.hidden_norms.rows();
    if (depth < 2)
        return out;
    for (const PerturbedRun& p : trace.perturbed) {
        if (p.diff_norms.rows() != tokens || p.diff_norms.cols() != depth) {
            throw InputError(str("perturbed run ", p.name, " has ", p.diff_norms.rows(), " x ",
                                 p.diff_norms.cols(), " difference norms, expected ", tokens, " x ",
                                 depth));
        }
        Sensitivity s;
        s.name = p.name;
        s.unit_roundoff = p.unit_roundoff;
        // Frobenius norms over the tokens are the 2-norms of the per-token norms.
        const double din = p.diff_norms.col(0).norm();
        s.input_relative = din / trace.hidden_norms.col(0).norm();
        // ||δ h_0[0..t]||, cumulative over the tokens.
        Vector din_upto(tokens);
        double acc = 0;
        for (Index t = 0; t < tokens; ++t) {
            acc += p.diff_norms(t, 0) * p.diff_norms(t, 0);
            din_upto(t) = std::sqrt(acc);
        }
        const Index layers = depth - 1;
        s.token_log_gain.resize(tokens, layers);
        for (Index l = 0; l < layers; ++l) {
            s.layer_log_gain.push_back(std::log(p.diff_norms.col(l + 1).norm() / din));
            for (Index t = 0; t < tokens; ++t) {
                s.token_log_gain(t, l) = din_upto(t) > 0
                                             ? std::log(p.diff_norms(t, l + 1) / din_upto(t))
                                             : std::numeric_limits<double>::quiet_NaN();
            }
            s.layer_sequence_slope.push_back(slope(s.token_log_gain.col(l)));
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace ssmscope::analysis
