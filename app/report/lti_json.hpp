// The `lti` report as JSON: exactly the keys of the CLI contract (docs/conventions.md §8(c)); with
// details, one more key, "details", holds the evidence behind them (the three rank estimates with
// their tolerances and gaps, stability margins, why a Gramian is undefined, Lyapunov residuals).
#pragma once

#include <nlohmann/json.hpp>

#include "analysis/lti_report.hpp"

namespace ssmscope::report {

nlohmann::ordered_json lti_json(const analysis::LtiReport& r, bool details = false);
nlohmann::ordered_json rank_decision_json(const analysis::RankDecision& d);

}  // namespace ssmscope::report
