#include "model/train/stability_watch.hpp"

#include <cstdio>

#include "base/str.hpp"

namespace ssmscope::model {

namespace {

std::string site_text(const NonFiniteSite& s) {
    std::string where = s.layer >= 0 ? str("layer ", s.layer) : std::string("outside the blocks");
    if (s.quantity == "parameters")
        return str("parameter ", s.parameter, " (", where, ")");
    const char* what = s.quantity == "delta"   ? "Δ of "
                       : s.quantity == "state" ? "the state of "
                                               : "the residual stream leaving ";
    return str(what, where, " at probe token ", s.token);
}

// Three significant digits: a message, not a record (the metrics log has the numbers).
std::string g3(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

// ā close to 1 printed as its distance from 1, which six digits of ā itself would round away.
std::string near_one(double v) {
    return v <= 1 ? "1 − " + g3(1 - v) : "1 + " + g3(v - 1);
}

}  // namespace

std::vector<WarningEvent> StabilityWatch::check(std::int64_t step, StabilitySnapshot& snapshot) {
    std::vector<WarningEvent> out;
    const std::size_t n = snapshot.layers.size();
    abar_.resize(n, false);
    abs_a_.resize(n, false);
    for (std::size_t i = 0; i < n; ++i) {
        const LayerStabilitySnapshot& l = snapshot.layers[i];
        const auto layer = static_cast<std::int64_t>(i);
        if (l.abar_near_one() && !abar_[i]) {
            out.push_back({step, "abar_near_one", layer,
                           str("layer ", i, ": max ā = max exp(Δ·A) is ", near_one(l.max_abar),
                               ", past 1 − 1e-4: the state barely forgets (Δ in [", g3(l.delta_min),
                               ", ", g3(l.delta_max), "])")});
        }
        if (l.a_near_zero() && !abs_a_[i]) {
            out.push_back({step, "a_near_zero", layer,
                           str("layer ", i, ": min |A| is ", g3(l.min_abs_a),
                               ", below 1e-4: A is drifting to 0 (A_log to −∞)")});
        }
        abar_[i] = l.abar_near_one();
        abs_a_[i] = l.a_near_zero();
    }
    if (snapshot.non_finite) {
        if (!first_non_finite_step_) {
            first_non_finite_step_ = step;
            out.push_back({step, "non_finite", snapshot.non_finite->layer,
                           str("the stability probe meets the first non-finite value in ",
                               site_text(*snapshot.non_finite))});
        }
        snapshot.non_finite->first_step = *first_non_finite_step_;
    }
    return out;
}

}  // namespace ssmscope::model
