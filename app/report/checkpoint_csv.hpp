// The `analyze` report as CSV: one row per analysed layer with the numbers of its summary (the
// columns a spreadsheet compares across layers or checkpoints). Undefined values are empty cells.
#pragma once

#include <string>

#include "analysis/checkpoint_report.hpp"

namespace ssmscope::report {

std::string checkpoint_csv(const analysis::CheckpointReport& r);

// The eigenvalues of A the GUI plots, one row per (layer, unit, index): layer,unit,index,re,im,
// by descending real part within a unit.
std::string eigenvalue_csv(const analysis::CheckpointReport& r);

}  // namespace ssmscope::report
