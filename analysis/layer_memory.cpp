#include "analysis/layer_memory.hpp"

#include <algorithm>

#include "analysis/median.hpp"
#include "base/parallel_for.hpp"

namespace ssmscope::analysis {

LayerMemory layer_memory(const SelectiveLayer& l, Index token, Index max_units,
                         const ImpulseOptions& options) {
    LayerMemory m;
    m.token = token < 0 ? l.tokens() - 1 : token;
    m.tol = options.tol;
    const Index units = l.units();
    const Index count = std::min(units, std::max<Index>(max_units, 1));
    for (Index i = 0; i < count; ++i)
        m.units.push_back(i * units / count);
    m.horizon.resize(m.units.size());
    m.decay_rate.resize(m.units.size());
    std::vector<std::string> reasons(m.units.size());
    ImpulseOptions o = options;
    o.keep = 0;  // only the horizons are wanted here
    parallel_for(count, 0, [&](Index begin, Index end) {
        for (Index i = begin; i < end; ++i) {
            const auto k = static_cast<std::size_t>(i);
            const ImpulseResponse r = impulse_response(l, m.units[k], m.token, o);
            m.horizon[k] = r.horizon;
            m.decay_rate[k] = r.decay_rate;
            reasons[k] = r.undefined_reason;
        }
    });
    std::vector<Index> defined;
    for (std::size_t k = 0; k < m.units.size(); ++k) {
        if (!m.horizon[k]) {
            if (m.undefined++ == 0)
                m.undefined_reason = reasons[k];
            continue;
        }
        defined.push_back(*m.horizon[k]);
        if (*m.horizon[k] >= m.horizon_max) {
            m.horizon_max = *m.horizon[k];
            m.longest_unit = m.units[k];
        }
    }
    if (!defined.empty()) {
        m.horizon_min = *std::min_element(defined.begin(), defined.end());
        m.horizon_median = median(defined);
    }
    return m;
}

}  // namespace ssmscope::analysis
