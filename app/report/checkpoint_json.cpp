#include "app/report/checkpoint_json.hpp"

#include <type_traits>

#include "app/report/json_util.hpp"

namespace ssmscope::report {

using json = nlohmann::ordered_json;
namespace a = ssmscope::analysis;

namespace {

template <typename T>
json array(const std::vector<T>& v) {
    json out = json::array();
    for (const T& x : v) {
        if constexpr (std::is_floating_point_v<T>)
            out.push_back(number(x));
        else
            out.push_back(x);
    }
    return out;
}

json frozen_json(const a::FrozenRanks& r) {
    json j;
    j["method"] = r.method;
    j["tolerance"] = r.tol;
    j["pairs"] = r.pairs;
    j["rank_min"] = r.min;
    j["rank_median"] = r.median;
    j["rank_max"] = r.max;
    j["fraction_full_rank"] = r.fraction_full;
    j["cross_checks"] = {{"pairs", r.cross_checked},
                         {"staircase_disagreements", r.staircase_disagreements},
                         {"svd_disagreements", r.svd_disagreements},
                         {"pbh_disagreements", r.pbh_disagreements},
                         {"svd_tolerance", r.svd_tol},
                         {"svd_gap_min", number(r.svd_gap_min)},
                         {"staircase_gap_min", number(r.staircase_gap_min)}};
    j["unit_min_rank"] = array(r.unit_min_rank);
    j["unit_min_rank_token"] = array(r.unit_min_token);
    return j;
}

json stability_json(const a::LayerStability& s) {
    std::vector<double> abscissa, radius;
    for (const auto& u : s.units) {
        abscissa.push_back(u.abscissa);
        radius.push_back(u.radius);
    }
    json j;
    j["unstable_units"] = s.unstable_continuous;
    j["worst_unit"] = s.worst_unit;
    j["spectral_abscissa_max"] = number(s.worst_abscissa);
    j["abscissa_histogram"] = {{"lo", number(s.abscissa_histogram.lo)},
                               {"hi", number(s.abscissa_histogram.hi)},
                               {"counts", array(s.abscissa_histogram.counts)}};
    j["discrete"] = {{"delta_min", s.delta_min},
                     {"delta_max", s.delta_max},
                     {"unstable_units", s.unstable_discrete},
                     {"worst_unit", s.worst_discrete_unit},
                     {"spectral_radius_max", number(s.worst_radius)},
                     {"unit_spectral_radius", array(radius)}};
    j["unit_spectral_abscissa"] = array(abscissa);
    return j;
}

json token_dynamics_json(const a::LayerTokenDynamics& d) {
    json j;
    j["predicted"] = d.not_applicable.empty() ? json(a::to_string(d.predicted)) : json(nullptr);
    if (!d.not_applicable.empty())
        j["not_applicable"] = d.not_applicable;
    json groups = json::array();
    for (const a::TokenCriterion& c : d.groups) {
        groups.push_back({{"nonzero_eigenvalues", complex_pairs(c.nonzero_eigenvalues)},
                          {"positive", c.positive},
                          {"negative", c.negative},
                          {"fraction_positive", number(c.fraction_positive)},
                          {"max_symmetric_eigenvalue", number(c.max_symmetric_eigenvalue)},
                          {"predicted", a::to_string(c.predicted)}});
    }
    j["groups"] = groups;
    j["importance"] = array(d.importance);
    return j;
}

}  // namespace

json horizon_json(const std::optional<a::Index>& h) {
    return h ? json(*h) : json(nullptr);
}

json memory_json(const a::LayerMemory& m) {
    json horizons = json::array();
    for (const auto& h : m.horizon)
        horizons.push_back(horizon_json(h));
    const bool any = m.undefined < static_cast<a::Index>(m.units.size());
    return {
        {"token", m.token},
        {"tolerance", m.tol},
        {"sampled_units", m.units.size()},
        {"undefined", m.undefined},
        {"undefined_reason", m.undefined_reason.empty() ? json(nullptr) : json(m.undefined_reason)},
        {"min", any ? json(m.horizon_min) : json(nullptr)},
        {"median", any ? json(m.horizon_median) : json(nullptr)},
        {"max", any ? json(m.horizon_max) : json(nullptr)},
        {"longest_unit", any ? json(m.longest_unit) : json(nullptr)},
        {"units", array(m.units)},
        {"unit_horizon", horizons},
        {"unit_decay_rate", array(m.decay_rate)}};
}

json impulse_json(const a::ImpulseResponse& r) {
    return {
        {"unit", r.unit},
        {"token", r.token},
        {"delta", number(r.delta)},
        {"decay_rate", number(r.decay_rate)},
        {"window", r.window},
        {"horizon", horizon_json(r.horizon)},
        {"undefined_reason", r.undefined_reason.empty() ? json(nullptr) : json(r.undefined_reason)},
        {"kernel", array(std::vector<double>(r.kernel.data(), r.kernel.data() + r.kernel.size()))}};
}

json layer_json(const a::LayerReport& l) {
    json j;
    j["layer"] = l.index;
    j["form"] = a::to_string(l.form);
    j["unit"] = l.unit_name;
    j["units"] = l.units;
    j["n"] = l.n;
    j["tokens"] = l.tokens;
    j["discretization"] = l.exact_zoh ? "exact zero-order hold" : "zero-order hold A, Euler B";
    j["stability"] = stability_json(l.stability);
    // λ(A) of every unit as the GUI plots them, [re, im], by descending real part.
    json eigenvalues = json::array();
    for (const auto& unit : l.stability.eigenvalues) {
        json u = json::array();
        for (const auto& z : unit)
            u.push_back(json::array({number(z.real()), number(z.imag())}));
        eigenvalues.push_back(std::move(u));
    }
    j["eigenvalues"] = std::move(eigenvalues);
    j["controllability"] = frozen_json(l.ranks.ctrb);
    j["observability"] = frozen_json(l.ranks.obsv);
    j["reachable_subspace"] = {{"tolerance", l.reachable.tol},
                               {"rank_min", l.reachable.min},
                               {"rank_median", l.reachable.median},
                               {"rank_max", l.reachable.max},
                               {"fraction_full_rank", l.reachable.fraction_full},
                               {"unit_rank", array(l.reachable.unit_rank)}};
    const a::LayerGramians& g = l.gramians;
    j["gramians"] = {
        {"sampled_pairs", g.sampled},
        {"defined", g.defined},
        {"undefined_reason", g.undefined_reason.empty() ? json(nullptr) : json(g.undefined_reason)},
        {"tolerance", g.tol},
        {"largest_hsv", g.defined > 0 ? json({{"min", number(g.hsv_max_min)},
                                              {"median", number(g.hsv_max_median)},
                                              {"max", number(g.hsv_max_max)}})
                                      : json(nullptr)},
        {"order",
         g.defined > 0
             ? json({{"min", g.order_min}, {"median", g.order_median}, {"max", g.order_max}})
             : json(nullptr)}};
    const a::LayerLyapunov& ly = l.lyapunov;
    std::vector<double> largest, largest_limit;
    for (const auto& e : ly.unit_exponents)
        largest.push_back(e.size() > 0 ? e(0) : 0.0);
    for (const auto& e : ly.unit_limits)
        largest_limit.push_back(e.size() > 0 ? e(0) : 0.0);
    j["lyapunov"] = {{"method", ly.method},
                     {"largest", number(ly.largest)},
                     {"largest_unit", ly.largest_unit},
                     {"median_largest", number(ly.median_largest)},
                     {"unit_largest", array(largest)},
                     {"limit",
                      {{"method", "mean-step-times-real-eigenvalue"},
                       {"largest", number(ly.largest_limit)},
                       {"largest_unit", ly.largest_limit_unit},
                       {"median_largest", number(ly.median_largest_limit)},
                       {"unit_largest", array(largest_limit)}}},
                     {"transient_units", ly.transient_units}};
    j["memory_horizon"] = memory_json(l.memory);
    j["impulse_response"] = impulse_json(l.impulse);
    j["token_dynamics"] = token_dynamics_json(l.tokens_dynamics);
    return j;
}

json checkpoint_json(const a::CheckpointReport& r) {
    json j;
    j["probe_tokens"] = r.tokens.size();
    j["n_layer"] = r.n_layer;
    j["probe_forward_precision"] = r.forward_precision;
    j["tolerance"] = r.tol;
    json layers = json::array();
    for (const auto& l : r.layers)
        layers.push_back(layer_json(l));
    j["layers"] = layers;
    const a::TokenTrajectories& t = r.trajectories;
    json behaviour = json::array();
    for (auto b : t.behaviour)
        behaviour.push_back(a::to_string(b));
    j["token_trajectories"] = {
        {"norms", rows(t.norms)},      {"log_growth_per_layer", array(t.log_growth)},
        {"classification", behaviour}, {"threshold", t.threshold},
        {"converging", t.converging},  {"bounded", t.bounded},
        {"diverging", t.diverging}};
    json sens = json::array();
    for (const a::Sensitivity& s : r.sensitivity) {
        sens.push_back({{"perturbation", s.name},
                        {"unit_roundoff", s.unit_roundoff},
                        {"input_relative", number(s.input_relative)},
                        {"layer_log_gain", array(s.layer_log_gain)},
                        {"layer_sequence_slope", array(s.layer_sequence_slope)}});
    }
    j["sensitivity"] = sens;
    j["seconds"] = {{"stability", r.timings.stability},
                    {"ranks", r.timings.ranks},
                    {"reachable", r.timings.reachable},
                    {"gramians", r.timings.gramians},
                    {"lyapunov", r.timings.lyapunov},
                    {"memory", r.timings.memory},
                    {"token_dynamics", r.timings.token_dynamics}};
    return j;
}

json verify_json(const a::VerifyResult& v) {
    json req = json::array();
    for (auto c : v.required)
        req.push_back(a::to_string(c));
    json viol = json::array();
    for (const a::Violation& x : v.violations) {
        viol.push_back({{"condition", a::to_string(x.condition)},
                        {"layer", x.layer},
                        {x.unit_name, x.unit},
                        {"detail", x.detail}});
    }
    return {{"required", req}, {"tolerance", v.tol}, {"holds", v.holds()}, {"violations", viol}};
}

}  // namespace ssmscope::report
