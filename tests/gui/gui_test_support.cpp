#include "tests/gui/gui_test_support.hpp"

#include <QSignalSpy>
#include <QTest>
#include <fstream>

#include "app/gui/main_window.hpp"
#include "app/gui/plots/plot.hpp"

namespace ssmscope::test {

std::filesystem::path sample(const std::string& name) {
    return std::filesystem::path(SSMSCOPE_SOURCE_DIR) / "samples" / name;
}

QString qpath(const std::filesystem::path& p) {
    return QString::fromStdString(p.string());
}

nlohmann::json read_json(const std::filesystem::path& p) {
    std::ifstream in(p);
    return nlohmann::json::parse(in);
}

bool open_and_wait(gui::MainWindow& w, const std::filesystem::path& dir, int timeout_ms) {
    QSignalSpy done(&w, &gui::MainWindow::analysis_done);
    w.open_checkpoint(qpath(dir));
    // A cached result reports at once, inside open_checkpoint.
    if (done.isEmpty() && !done.wait(timeout_ms))
        return false;
    return done.front().front().toBool();
}

gui::Plot* plot(QWidget& root, const char* name) {
    auto* p = root.findChild<gui::Plot*>(name);
    if (!p)
        qWarning("no plot named %s", name);
    return p;
}

}  // namespace ssmscope::test
