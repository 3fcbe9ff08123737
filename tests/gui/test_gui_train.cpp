// Training from the desktop app: a 5-step run adds 5 points to the live loss and perplexity
// plots (the values the run logs to metrics.jsonl, read independently), stability points for
// every layer (the watch's min |A|, max ā, Δ range and state norm among them), keeps the event
// loop responsive, and its model opens in the analysis views with one click; the watch's
// warnings are listed as the run logs them; stopping saves a resumable checkpoint; with two
// processes the plots follow rank 0, and the run's train.json is the one the same form writes
// with one process.
#include <QComboBox>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QTimer>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "app/gui/main_window.hpp"
#include "app/gui/plots/plot.hpp"
#include "app/gui/views/overview_view.hpp"
#include "app/gui/views/train_panel.hpp"
#include "app/usecase/train_request.hpp"
#include "model/train/train_options.hpp"
#include "tests/gui/gui_test_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace ssmscope;
using test::plot;

namespace {

// A corpus of a few thousand bytes of varied text, written by the test.
fs::path write_corpus(const test::TempDir& tmp) {
    std::string text;
    for (int i = 0; i < 400; ++i)
        text += "state " + std::to_string(i * 7919 % 1000) + " follows input " + std::to_string(i) +
                ".\n";
    return tmp.write("corpus.txt", text);
}

void fill_form(gui::TrainPanel& panel, const fs::path& corpus, const fs::path& out, int steps,
               int nproc) {
    panel.findChild<QComboBox*>("arch")->setCurrentText("mamba");
    panel.findChild<QLineEdit*>("corpus")->setText(test::qpath(corpus));
    panel.findChild<QSpinBox*>("steps")->setValue(steps);
    panel.findChild<QSpinBox*>("batch")->setValue(2);
    panel.findChild<QSpinBox*>("seq_len")->setValue(32);
    panel.findChild<QSpinBox*>("stability_every")->setValue(1);
    panel.findChild<QSpinBox*>("nproc")->setValue(nproc);
    panel.findChild<QLineEdit*>("out")->setText(test::qpath(out));
}

// Runs the form as filled to its end; the run's train.json.
nlohmann::json run_form(const fs::path& corpus, const fs::path& out, int nproc) {
    gui::MainWindow w;
    gui::TrainPanel* panel = w.train_panel();
    fill_form(*panel, corpus, out, 5, nproc);
    QSignalSpy finished(panel, &gui::TrainPanel::run_finished);
    panel->start();
    if (!finished.wait(test::kPatience))
        return {};
    if (!finished.front().front().toBool())
        qWarning("%s", qPrintable(finished.front().at(1).toString()));
    std::ifstream in(out / "train.json");
    return nlohmann::json::parse(in, nullptr, false);
}

// The metrics.jsonl lines of one event, in order.
std::vector<nlohmann::json> logged_events(const fs::path& metrics, const std::string& event) {
    std::vector<nlohmann::json> out;
    std::ifstream in(metrics);
    for (std::string line; std::getline(in, line);) {
        auto j = nlohmann::json::parse(line);
        if (j["event"] == event)
            out.push_back(std::move(j));
    }
    return out;
}

std::vector<double> logged_losses(const fs::path& metrics) {
    std::vector<double> losses;
    std::ifstream in(metrics);
    for (std::string line; std::getline(in, line);) {
        const auto j = nlohmann::json::parse(line);
        if (j["event"] == "step")
            losses.push_back(j["loss"].get<double>());
    }
    return losses;
}

}  // namespace

class TestGuiTrain : public QObject {
    Q_OBJECT
  private slots:
    void five_steps_add_five_points_and_the_model_opens();
    void the_watch_warnings_are_listed_as_logged();
    void stop_saves_a_checkpoint_that_resumes();
    void two_processes_plot_from_rank_zero();
    void one_and_two_processes_write_the_same_train_json();
};

void TestGuiTrain::five_steps_add_five_points_and_the_model_opens() {
    test::TempDir tmp;
    gui::MainWindow w;
    w.show();
    gui::TrainPanel* panel = w.train_panel();
    w.tabs()->setCurrentWidget(panel);
    fill_form(*panel, write_corpus(tmp), tmp / "run", 5, 1);
    panel->findChild<QComboBox*>("precision")->setCurrentText("bf16");
    // The event loop must keep turning while the run trains: a 10 ms timer measures it.
    using Clock = std::chrono::steady_clock;
    auto last = Clock::now();
    double worst_gap_ms = 0;
    QTimer tick;
    tick.setInterval(10);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const auto now = Clock::now();
        worst_gap_ms =
            std::max(worst_gap_ms, std::chrono::duration<double, std::milli>(now - last).count());
        last = now;
    });
    QSignalSpy finished(panel, &gui::TrainPanel::run_finished);
    QSignalSpy steps(panel, &gui::TrainPanel::step_reported);
    QTest::mouseClick(panel->findChild<QPushButton*>("start"), Qt::LeftButton);
    last = Clock::now();
    tick.start();
    QVERIFY(finished.wait(test::kPatience));
    tick.stop();
    QVERIFY2(finished.front().front().toBool(), qPrintable(finished.front().at(1).toString()));
    QCOMPARE(steps.size(), 5);
    {
        std::ifstream in(tmp / "run" / "train.json");
        QCOMPARE(QString::fromStdString(nlohmann::json::parse(in)["precision"].get<std::string>()),
                 QString("bf16"));
    }

    gui::Plot* loss = plot(*panel, "train_loss");
    gui::Plot* ppl = plot(*panel, "train_perplexity");
    QCOMPARE(loss->graph(0)->dataCount(), 5);
    QCOMPARE(ppl->graph(0)->dataCount(), 5);
    const std::vector<double> logged = logged_losses(tmp / "run" / "metrics.jsonl");
    QCOMPARE(static_cast<int>(logged.size()), 5);
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(loss->graph(0)->data()->at(i)->key, static_cast<double>(i + 1));
        QCOMPARE(loss->graph(0)->data()->at(i)->value, logged[static_cast<std::size_t>(i)]);
        QVERIFY(std::abs(ppl->graph(0)->data()->at(i)->value -
                         std::exp(logged[static_cast<std::size_t>(i)])) <
                1e-6 * ppl->graph(0)->data()->at(i)->value);
    }
    // Stability at every step, one line per layer (2 layers by default).
    for (const char* name : {"train_abscissa", "train_lyapunov"}) {
        QCOMPARE(plot(*panel, name)->graphCount(), 2);
        QCOMPARE(plot(*panel, name)->graph(1)->dataCount(), 5);
    }
    // The watch's numbers per layer, as the run logged them; the Δ plot has a min and a max
    // graph per layer.
    const std::vector<nlohmann::json> snapshots =
        logged_events(tmp / "run" / "metrics.jsonl", "step");
    QCOMPARE(static_cast<int>(snapshots.size()), 5);
    const std::pair<const char*, const char*> watched[] = {{"train_min_abs_a", "min_abs_a"},
                                                           {"train_max_abar", "max_abar"},
                                                           {"train_state_norm", "max_state_norm"}};
    for (int i = 0; i < 5; ++i) {
        const auto& layers = snapshots[static_cast<std::size_t>(i)]["stability"]["layers"];
        for (int l = 0; l < 2; ++l) {
            const auto& logged_layer = layers[static_cast<std::size_t>(l)];
            for (const auto& [name, key] : watched) {
                QCOMPARE(plot(*panel, name)->graphCount(), 2);
                QCOMPARE(plot(*panel, name)->graph(l)->data()->at(i)->value,
                         logged_layer[key].get<double>());
            }
            gui::Plot* delta = plot(*panel, "train_delta_range");
            QCOMPARE(delta->graphCount(), 4);
            QCOMPARE(delta->graph(2 * l)->data()->at(i)->value,
                     logged_layer["delta_min"].get<double>());
            QCOMPARE(delta->graph(2 * l + 1)->data()->at(i)->value,
                     logged_layer["delta_max"].get<double>());
            QVERIFY(logged_layer["delta_min"].get<double>() <=
                    logged_layer["delta_max"].get<double>());
        }
    }
    QCOMPARE(panel->findChild<QListWidget*>("train_warnings")->count(),
             static_cast<int>(logged_events(tmp / "run" / "metrics.jsonl", "warning").size()));
    QVERIFY2(worst_gap_ms < 500, qPrintable(QString::number(worst_gap_ms)));
    qInfo("longest pause of the event loop while training: %.0f ms", worst_gap_ms);

    // One click opens the trained model in the analysis views.
    QSignalSpy analysed(&w, &gui::MainWindow::analysis_done);
    QTest::mouseClick(panel->findChild<QPushButton*>("open_trained"), Qt::LeftButton);
    QVERIFY(analysed.wait(test::kPatience));
    QVERIFY(analysed.front().front().toBool());
    QCOMPARE(fs::path(w.result()->request.checkpoint), fs::canonical(tmp / "run"));
    QCOMPARE(w.tabs()->currentWidget(), static_cast<QWidget*>(w.overview()));
}

// SC-Mamba's default companion coefficients, uniform in [0, 1], make unstable polynomials at
// N = 8 (README, sample checkpoints): a layer's max ā passes 1 − 1e-4 at the first snapshot. The
// panel lists every warning the run logs, in order, and only those.
void TestGuiTrain::the_watch_warnings_are_listed_as_logged() {
    test::TempDir tmp;
    gui::MainWindow w;
    gui::TrainPanel* panel = w.train_panel();
    fill_form(*panel, write_corpus(tmp), tmp / "run", 3, 1);
    panel->findChild<QComboBox*>("arch")->setCurrentText("sc-mamba");
    QSignalSpy finished(panel, &gui::TrainPanel::run_finished);
    panel->start();
    QVERIFY(finished.wait(test::kPatience));
    QVERIFY2(finished.front().front().toBool(), qPrintable(finished.front().at(1).toString()));
    const std::vector<nlohmann::json> warnings =
        logged_events(tmp / "run" / "metrics.jsonl", "warning");
    QVERIFY(!warnings.empty());
    // Each warning follows from its step's logged snapshot: a layer past 1 − 1e-4.
    const std::vector<nlohmann::json> steps = logged_events(tmp / "run" / "metrics.jsonl", "step");
    for (const auto& warning : warnings) {
        if (warning["kind"] != "abar_near_one")
            continue;
        const auto layer = warning["layer"].get<std::size_t>();
        const auto at = std::find_if(steps.begin(), steps.end(),
                                     [&](const auto& s) { return s["step"] == warning["step"]; });
        QVERIFY(at != steps.end());
        QVERIFY((*at)["stability"]["layers"][layer]["max_abar"].get<double>() > 1 - 1e-4);
    }
    auto* list = panel->findChild<QListWidget*>("train_warnings");
    QVERIFY(!list->isHidden());
    QCOMPARE(list->count(), static_cast<int>(warnings.size()));
    for (int i = 0; i < list->count(); ++i) {
        const auto& warning = warnings[static_cast<std::size_t>(i)];
        const QString text = list->item(i)->text();
        QVERIFY2(text.startsWith(QString("step %1: ").arg(warning["step"].get<int>())),
                 qPrintable(text));
        QVERIFY2(text.endsWith(QString::fromStdString(warning["message"].get<std::string>())),
                 qPrintable(text));
    }
}

void TestGuiTrain::stop_saves_a_checkpoint_that_resumes() {
    test::TempDir tmp;
    gui::MainWindow w;
    gui::TrainPanel* panel = w.train_panel();
    fill_form(*panel, write_corpus(tmp), tmp / "run", 400, 1);
    QSignalSpy finished(panel, &gui::TrainPanel::run_finished);
    QSignalSpy steps(panel, &gui::TrainPanel::step_reported);
    panel->start();
    QTRY_VERIFY_WITH_TIMEOUT(steps.size() >= 3, test::kPatience);
    // Pause holds the run between steps.
    auto* pause = panel->findChild<QPushButton*>("pause");
    QVERIFY(pause->isEnabled());
    pause->click();
    QTest::qWait(300);  // a step in flight may still arrive
    const auto held = steps.size();
    QTest::qWait(500);
    QCOMPARE(steps.size(), held);
    pause->click();
    QTRY_VERIFY_WITH_TIMEOUT(steps.size() > held, test::kPatience);
    panel->findChild<QPushButton*>("stop")->click();
    QVERIFY(finished.wait(test::kPatience));
    QVERIFY(finished.front().front().toBool());
    const qint64 stopped_at = steps.back().front().toLongLong();
    QVERIFY(stopped_at < 400);
    // Resume continues from the checkpoint written at the stop.
    steps.clear();
    finished.clear();
    panel->resume_run(test::qpath(tmp / "run"));
    QTRY_VERIFY_WITH_TIMEOUT(!steps.isEmpty(), test::kPatience);
    QCOMPARE(steps.front().front().toLongLong(), stopped_at + 1);
    panel->stop();
    QVERIFY(finished.wait(test::kPatience));
}

void TestGuiTrain::two_processes_plot_from_rank_zero() {
    test::TempDir tmp;
    gui::MainWindow w;
    gui::TrainPanel* panel = w.train_panel();
    fill_form(*panel, write_corpus(tmp), tmp / "run", 5, 2);
    QSignalSpy finished(panel, &gui::TrainPanel::run_finished);
    panel->start();
    QVERIFY(panel->running());
    QVERIFY(!panel->findChild<QPushButton*>("pause")->isEnabled());  // workers cannot pause
    QVERIFY(finished.wait(test::kPatience));
    QVERIFY2(finished.front().front().toBool(), qPrintable(finished.front().at(1).toString()));
    gui::Plot* loss = plot(*panel, "train_loss");
    const std::vector<double> logged = logged_losses(tmp / "run" / "metrics.jsonl");
    QCOMPARE(static_cast<int>(logged.size()), 5);
    QCOMPARE(loss->graph(0)->dataCount(), 5);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(loss->graph(0)->data()->at(i)->value, logged[static_cast<std::size_t>(i)]);
    QCOMPARE(plot(*panel, "train_abscissa")->graph(0)->dataCount(), 5);
}

void TestGuiTrain::one_and_two_processes_write_the_same_train_json() {
    test::TempDir tmp;
    const fs::path corpus = write_corpus(tmp);
    const nlohmann::json one = run_form(corpus, tmp / "one", 1);
    const nlohmann::json two = run_form(corpus, tmp / "two", 2);
    QVERIFY(one.is_object());
    QVERIFY(two.is_object());
    // The schedule the form derives from its 5 steps and learning rate, written by both runs.
    model::TrainOptions derived;
    derived.steps = 5;
    derived.lr = 3e-3;  // the form's default
    usecase::derive_schedule(derived);
    for (const char* key : {"min_lr", "warmup", "eval_tokens", "eval_every", "checkpoint_every"})
        QVERIFY2(one.contains(key), key);
    QCOMPARE(one["min_lr"].get<double>(), derived.min_lr);
    QCOMPARE(one["warmup"].get<std::int64_t>(), derived.warmup);
    QCOMPARE(one["eval_tokens"].get<std::int64_t>(), derived.eval_tokens);
    // Field by field, the two runs agree (the process count is not part of train.json).
    QCOMPARE(one.size(), two.size());
    for (const auto& [key, value] : one.items()) {
        QVERIFY2(two.contains(key), key.c_str());
        QVERIFY2(two[key] == value,
                 qPrintable(QString::fromStdString(key + ": " + value.dump() + " with 1 process, " +
                                                   two[key].dump() + " with 2")));
    }
}

QTEST_MAIN(TestGuiTrain)
#include "test_gui_train.moc"
