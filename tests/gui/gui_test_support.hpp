// What the GUI tests share: the bundled samples, waiting for an analysis, finding widgets by
// their object names (as users find them by their labels), reading JSON independently.
#pragma once

#include <QString>
#include <QWidget>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace ssmscope::gui {
class MainWindow;
class Plot;
}  // namespace ssmscope::gui

namespace ssmscope::test {

std::filesystem::path sample(const std::string& name);  // SOURCE/samples/NAME
QString qpath(const std::filesystem::path& p);
nlohmann::json read_json(const std::filesystem::path& p);

// How long a test waits for work to finish, in ms: a deadline that only stops a hung test. The
// sanitized build on a loaded two-core machine analyses and trains many times slower than the
// optimised one, so nothing here is a measure of speed.
inline constexpr int kPatience = 600000;

// Opens `dir` and waits for MainWindow::analysis_done; returns its argument (false on timeout).
bool open_and_wait(gui::MainWindow& w, const std::filesystem::path& dir,
                   int timeout_ms = kPatience);

gui::Plot* plot(QWidget& root, const char* name);  // fails the test when there is none

}  // namespace ssmscope::test
