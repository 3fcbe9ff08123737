// The `analyze` report as CSV: one row per analysed layer with the numbers of its summary (the
// columns a spreadsheet compares across layers or checkpoints). Undefined values are empty cells.
#pragma once

#include <string>

#include "analysis/checkpoint_report.hpp"

namespace ssmscope::report {

std::string checkpoint_csv(const analysis::CheckpointReport& r);

}  // namespace ssmscope::report
