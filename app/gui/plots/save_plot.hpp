// Saving a plot as PNG or PDF (by the file's suffix) without leaving a partial file: QCustomPlot
// writes a temporary file beside the target, which is renamed over it only when complete.
#pragma once

#include <QString>

class QCustomPlot;

namespace ssmscope::gui {

// Throws std::runtime_error with a message naming the file when it cannot be written.
void save_plot(QCustomPlot& plot, const QString& path);

}  // namespace ssmscope::gui
