#include "app/report/lti_json.hpp"

#include "app/report/json_util.hpp"

namespace ssmscope::report {

using json = nlohmann::ordered_json;

namespace {

json optional_rank(const std::optional<analysis::RankDecision>& d) {
    return d ? json(d->rank) : json(nullptr);
}

json gramian(const analysis::Gramian& g) {
    return g.defined() ? rows(*g.W) : json(nullptr);
}

json details_json(const analysis::LtiReport& r) {
    const analysis::Spectrum& s = r.spectrum;
    json d;
    d["m"] = r.m;
    d["p"] = r.p;
    d["time"] = r.dt > 0.0 ? "discrete" : "continuous";
    d["dt"] = r.dt;
    d["stability"] = analysis::to_string(s.stability);
    d["spectral_abscissa"] = number(s.spectral_abscissa);
    d["spectral_radius"] = number(s.spectral_radius);
    d["stability_boundary_tol"] = number(s.boundary_tol);
    d["controllability"] = r.ctrb ? rank_decision_json(*r.ctrb) : json(nullptr);
    d["observability"] = r.obsv ? rank_decision_json(*r.obsv) : json(nullptr);
    const auto gram_detail = [](const analysis::Gramian& g, double residual) {
        return g.defined() ? json{{"defined", true}, {"lyapunov_residual", number(residual)}}
                           : json{{"defined", false}, {"reason", g.undefined_reason}};
    };
    d["gramian_c"] = gram_detail(r.gram_c, r.gram_c_residual);
    d["gramian_o"] = gram_detail(r.gram_o, r.gram_o_residual);
    return d;
}

}  // namespace

json rank_decision_json(const analysis::RankDecision& d) {
    const analysis::Staircase& st = d.staircase;
    json j;
    j["rank"] = d.rank;
    j["full"] = d.full();
    json stair{{"rank", st.rank}, {"tol", number(st.tol)}, {"block_sizes", st.block_sizes}};
    if (st.has_diagnostics) {
        stair["kept_min"] = number(st.kept_min);
        stair["dropped_max"] = number(st.dropped_max);
        stair["gap"] = number(st.gap);
    }
    j["staircase"] = std::move(stair);
    if (d.cross_checked) {
        j["svd"] = {{"rank", d.svd.rank},
                    {"tol", number(d.svd.tol)},
                    {"threshold", number(d.svd.threshold)},
                    {"gap", number(d.svd.gap)},
                    {"margin_decades", number(d.svd.margin_decades)},
                    {"singular_values", list(d.svd.singular_values)}};
        json modes = json::array();
        for (const auto& mode : d.pbh.modes)
            modes.push_back(
                {{"eigenvalue", {number(mode.eigenvalue.real()), number(mode.eigenvalue.imag())}},
                 {"multiplicity", mode.multiplicity},
                 {"residual", number(mode.residual)},
                 {"deficiency", mode.deficiency}});
        j["pbh"] = {{"rank", d.pbh.rank}, {"tol", number(d.pbh.tol)}, {"modes", std::move(modes)}};
        j["disagree"] = d.disagree;
    }
    return j;
}

json lti_json(const analysis::LtiReport& r, bool details) {
    json j;
    j["n"] = r.n;
    j["eigenvalues"] = complex_pairs(r.spectrum.eigenvalues);
    j["stable"] = r.spectrum.stable();
    j["controllability_rank"] = optional_rank(r.ctrb);
    j["observability_rank"] = optional_rank(r.obsv);
    j["gramian_c"] = gramian(r.gram_c);
    j["gramian_o"] = gramian(r.gram_o);
    j["hankel_singular_values"] = r.hsv ? list(*r.hsv) : json(nullptr);
    j["minimal_order"] = r.minimal_order ? json(*r.minimal_order) : json(nullptr);
    j["tolerance"] = number(r.tolerance);
    if (details)
        j["details"] = details_json(r);
    return j;
}

}  // namespace ssmscope::report
