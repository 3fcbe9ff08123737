// The report documents both front ends write: `analyze --json` and the GUI's Export (JSON) are
// the same bytes because both call analyze_json; `verify --json` has its own header (no
// architecture, as its contract says) around the verdicts.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "app/usecase/analyse.hpp"

namespace ssmscope::usecase {

// {checkpoint, architecture, probe: {source, tokens}} followed by the report's keys.
nlohmann::ordered_json analyze_document(const Analysis& a);
std::string analyze_json(const Analysis& a);  // the document, one space of indent, newline
// One header line (architecture, sizes, probe) and the per-layer text report.
std::string analyze_text(const Analysis& a);

// {checkpoint, probe: {source, tokens}} followed by the verdicts.
std::string verify_json(const Verification& v);

}  // namespace ssmscope::usecase
