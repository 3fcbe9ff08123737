// The `lti` report as a readable text for a terminal.
#pragma once

#include <string>

#include "analysis/lti_report.hpp"

namespace ssmscope::report {

std::string lti_text(const analysis::LtiReport& r);

}  // namespace ssmscope::report
