// Training from the desktop app: a 5-step run adds 5 points to the live loss and perplexity
// plots (the values the run logs to metrics.jsonl, read independently), stability points for
// every layer, keeps the event loop responsive, and its model opens in the analysis views with
// one click; stopping saves a resumable checkpoint; with two processes the plots follow rank 0,
// and the run's train.json is the one the same form writes with one process.
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QTimer>
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
