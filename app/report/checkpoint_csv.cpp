#include "app/report/checkpoint_csv.hpp"

#include <cmath>
#include <sstream>

namespace ssmscope::report {

namespace {

// Shortest text that reads back as the same double; empty for NaN and Inf.
std::string cell(double x) {
    if (!std::isfinite(x))
        return "";
    std::ostringstream s;
    s.precision(17);
    s << x;
    return s.str();
}

}  // namespace

std::string checkpoint_csv(const analysis::CheckpointReport& r) {
    std::ostringstream out;
    out << "layer,form,units,n,tokens,unstable_continuous,worst_abscissa,unstable_discrete,"
           "worst_radius,delta_min,delta_max,ctrb_min,ctrb_median,ctrb_max,ctrb_fraction_full,"
           "obsv_min,obsv_median,obsv_max,obsv_fraction_full,reachable_min,reachable_max,"
           "gramian_samples,gramian_defined,hsv_max_median,order_median,largest_lyapunov,"
           "largest_lyapunov_limit,token_regime\n";
    for (const analysis::LayerReport& l : r.layers) {
        const auto& s = l.stability;
        const auto& c = l.ranks.ctrb;
        const auto& o = l.ranks.obsv;
        const bool hsv = l.gramians.defined > 0;
        out << l.index << ',' << analysis::to_string(l.form) << ',' << l.units << ',' << l.n << ','
            << l.tokens << ',' << s.unstable_continuous << ',' << cell(s.worst_abscissa) << ','
            << s.unstable_discrete << ',' << cell(s.worst_radius) << ',' << cell(s.delta_min) << ','
            << cell(s.delta_max) << ',' << c.min << ',' << c.median << ',' << c.max << ','
            << cell(c.fraction_full) << ',' << o.min << ',' << o.median << ',' << o.max << ','
            << cell(o.fraction_full) << ',' << l.reachable.min << ',' << l.reachable.max << ','
            << l.gramians.sampled << ',' << l.gramians.defined << ','
            << (hsv ? cell(l.gramians.hsv_max_median) : "") << ','
            << (hsv ? std::to_string(l.gramians.order_median) : "") << ','
            << cell(l.lyapunov.largest) << ',' << cell(l.lyapunov.largest_limit) << ','
            << analysis::to_string(l.tokens_dynamics.predicted) << '\n';
    }
    return out.str();
}

std::string eigenvalue_csv(const analysis::CheckpointReport& r) {
    std::ostringstream out;
    out << "layer,unit,index,re,im\n";
    for (const analysis::LayerReport& l : r.layers) {
        for (std::size_t u = 0; u < l.stability.eigenvalues.size(); ++u) {
            const auto& unit = l.stability.eigenvalues[u];
            for (std::size_t i = 0; i < unit.size(); ++i) {
                out << l.index << ',' << u << ',' << i << ',' << cell(unit[i].real()) << ','
                    << cell(unit[i].imag()) << '\n';
            }
        }
    }
    return out.str();
}

}  // namespace ssmscope::report
