// The `analyze` report and the `verify` result as text for a terminal: one table row per layer,
// then the token behaviour across depth and the sensitivity to input rounding.
#pragma once

#include <string>

#include "analysis/checkpoint_report.hpp"
#include "analysis/verify.hpp"

namespace ssmscope::report {

std::string checkpoint_text(const analysis::CheckpointReport& r);
std::string verify_text(const analysis::VerifyResult& v);

}  // namespace ssmscope::report
