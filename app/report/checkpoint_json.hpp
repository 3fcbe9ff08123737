// The `analyze` report (analysis/checkpoint_report.hpp) and the `verify` result as JSON. Infinite
// and undefined numbers become null (json_util.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include "analysis/checkpoint_report.hpp"
#include "analysis/verify.hpp"

namespace ssmscope::report {

nlohmann::ordered_json checkpoint_json(const analysis::CheckpointReport& r);
nlohmann::ordered_json layer_json(const analysis::LayerReport& l);
nlohmann::ordered_json verify_json(const analysis::VerifyResult& v);

}  // namespace ssmscope::report
