#include "app/report/checkpoint_text.hpp"

#include <algorithm>
#include <cstdio>

#include "app/report/fmt.hpp"

namespace ssmscope::report {

namespace a = ssmscope::analysis;

namespace {

std::string ranks(const a::FrozenRanks& r) {
    return fmt("%d/%d/%d %5.1f%%", r.min, r.median, r.max, 100.0 * r.fraction_full);
}

}  // namespace

std::string checkpoint_text(const a::CheckpointReport& r) {
    std::string out = fmt(
        "probe: %zu tokens, forward in %s; %lld layers analysed of %lld; rank tolerance %.2e\n\n",
        r.tokens.size(), r.forward_precision.c_str(), static_cast<long long>(r.layers.size()),
        static_cast<long long>(r.n_layer), r.tol);
    out +=
        "layer form       units  N  max Re(A) unstable  max rho(Abar)  ctrb min/med/max full"
        "  obsv min/med/max full  reach  largest HSV  max Lyapunov  tokens\n";
    for (const a::LayerReport& l : r.layers) {
        const auto& s = l.stability;
        out +=
            fmt("%5d %-10s %5lld %2lld  %+9.3e %8lld  %13.6f  %-20s  %-20s  %2d/%-2d  %11.3e  "
                "%+12.4e  %s\n",
                l.index, a::to_string(l.form), static_cast<long long>(l.units),
                static_cast<long long>(l.n), s.worst_abscissa,
                static_cast<long long>(s.unstable_continuous), s.worst_radius,
                ranks(l.ranks.ctrb).c_str(), ranks(l.ranks.obsv).c_str(), l.reachable.min,
                static_cast<int>(l.n), l.gramians.defined > 0 ? l.gramians.hsv_max_median : 0.0,
                l.lyapunov.largest,
                l.tokens_dynamics.not_applicable.empty() ? a::to_string(l.tokens_dynamics.predicted)
                                                         : "n/a");
    }
    out +=
        "\n(ranks of the frozen-time systems over every unit and probe token; reach: smallest "
        "rank of the subspace reachable over the whole probe; largest HSV: median over the "
        "sampled stable frozen systems; tokens: the criterion's predicted regime)\n";
    bool header = false;
    for (const a::LayerReport& l : r.layers) {
        const a::LayerLyapunov& ly = l.lyapunov;
        if (std::string(ly.method) != "qr")
            continue;  // the diagonal forms' closed form is the limit itself
        if (!header) {
            out +=
                "\nLyapunov exponents, finite-horizon QR estimate against the exact limit "
                "mean(delta) max Re lambda(A) (a unit's steps commute):\n";
            header = true;
        }
        out +=
            fmt("  layer %d: estimate %+.4e, limit %+.4e per token; transient growth only "
                "(positive estimate, non-positive limit) in %lld of %lld %ss\n",
                l.index, ly.largest, ly.largest_limit, static_cast<long long>(ly.transient_units),
                static_cast<long long>(l.units), l.unit_name.c_str());
    }
    if (!r.layers.empty()) {
        out +=
            fmt("\nmemory horizons (lags after which the impulse response stays below %.0e of "
                "its peak), units frozen at token %lld:\n",
                r.layers.front().memory.tol, static_cast<long long>(r.layers.front().memory.token));
    }
    for (const a::LayerReport& l : r.layers) {
        const a::LayerMemory& m = l.memory;
        const auto sampled = static_cast<long long>(m.units.size());
        if (m.undefined == sampled) {
            out += fmt("  layer %d: none of %lld %ss: %s\n", l.index, sampled, l.unit_name.c_str(),
                       m.undefined_reason.c_str());
            continue;
        }
        out +=
            fmt("  layer %d: min / median / max %lld / %lld / %lld tokens over %lld %ss (longest: "
                "%s %lld)%s\n",
                l.index, static_cast<long long>(m.horizon_min),
                static_cast<long long>(m.horizon_median), static_cast<long long>(m.horizon_max),
                sampled - static_cast<long long>(m.undefined), l.unit_name.c_str(),
                l.unit_name.c_str(), static_cast<long long>(m.longest_unit),
                m.undefined > 0 ? fmt("; %lld without: %s", static_cast<long long>(m.undefined),
                                      m.undefined_reason.c_str())
                                      .c_str()
                                : "");
    }
    out += "\ncross checks (staircase / Krylov SVD / PBH disagreements with the decision):\n";
    for (const a::LayerReport& l : r.layers) {
        const auto& c = l.ranks.ctrb;
        const auto& o = l.ranks.obsv;
        out +=
            fmt("  layer %d: ctrb %s on %lld pairs: %lld / %lld / %lld;  obsv %s on %lld: %lld / "
                "%lld / %lld\n",
                l.index, c.method, static_cast<long long>(c.cross_checked),
                static_cast<long long>(c.staircase_disagreements),
                static_cast<long long>(c.svd_disagreements),
                static_cast<long long>(c.pbh_disagreements), o.method,
                static_cast<long long>(o.cross_checked),
                static_cast<long long>(o.staircase_disagreements),
                static_cast<long long>(o.svd_disagreements),
                static_cast<long long>(o.pbh_disagreements));
    }
    const a::TokenTrajectories& t = r.trajectories;
    out +=
        fmt("\ntokens across depth (norm of the residual stream, slope threshold %.3f per layer): "
            "%lld converging, %lld bounded, %lld diverging\n",
            t.threshold, static_cast<long long>(t.converging), static_cast<long long>(t.bounded),
            static_cast<long long>(t.diverging));
    for (const a::Sensitivity& s : r.sensitivity) {
        out +=
            fmt("sensitivity to %s rounding of the embeddings (relative input change %.2e): "
                "log gain after the last layer %+.3f, growth along the sequence %+.2e per token\n",
                s.name.c_str(), s.input_relative,
                s.layer_log_gain.empty() ? 0.0 : s.layer_log_gain.back(),
                s.layer_sequence_slope.empty() ? 0.0 : s.layer_sequence_slope.back());
    }
    return out;
}

std::string verify_text(const a::VerifyResult& v) {
    std::string req;
    for (auto c : v.required)
        req += std::string(req.empty() ? "" : ", ") + a::to_string(c);
    if (v.holds())
        return fmt("verified: %s hold on every analysed layer (tolerance %.2e)\n", req.c_str(),
                   v.tol);
    std::string out = fmt("FAILED: %zu violations of %s (tolerance %.2e)\n", v.violations.size(),
                          req.c_str(), v.tol);
    // Every violation, grouped as they come (layer by layer).
    for (const a::Violation& x : v.violations) {
        out += fmt("  %s: layer %d %s %lld: %s\n", a::to_string(x.condition), x.layer,
                   x.unit_name.c_str(), static_cast<long long>(x.unit), x.detail.c_str());
    }
    return out;
}

}  // namespace ssmscope::report
