// Cancel stops a running analysis within a second and leaves the model shown before. The
// analysis is made long on purpose: SC-Mamba's selective c_t needs a staircase per channel and
// token, and its companion A a matrix exponential per token, over a probe of 4096 bytes.
// A deeper model shows its summary at once and each layer as it is done, while the window
// answers within 100 ms throughout; cancelled part way, it keeps the layers it finished.
#include <QElapsedTimer>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <chrono>

#include "app/gui/core/analysis_job.hpp"
#include "app/gui/main_window.hpp"
#include "app/gui/models/layer_table_model.hpp"
#include "app/gui/views/overview_view.hpp"
#include "tests/gui/gui_test_support.hpp"

using namespace ssmscope;

class TestGuiCancel : public QObject {
    Q_OBJECT
  private slots:
    void cancel_stops_within_a_second();
    void layers_arrive_as_they_are_done();
};

void TestGuiCancel::cancel_stops_within_a_second() {
    gui::MainWindow w;
    w.show();
    QVERIFY(test::open_and_wait(w, test::sample("mamba")));
    const auto before = w.result();

    QString probe;
    for (int i = 0; probe.size() < 4096; ++i)
        probe += QStringLiteral("token %1 of a long probe; ").arg(i);
    probe.truncate(4096);
    w.probe_editor()->setPlainText(probe);
    QSignalSpy done(&w, &gui::MainWindow::analysis_done);
    auto* job = w.findChild<gui::AnalysisJob*>();
    QVERIFY(job);
    QSignalSpy progress(job, &gui::AnalysisJob::progress);
    w.open_checkpoint(test::qpath(test::sample("sc-mamba")));
    QVERIFY(w.analysing());
    // Into the per-layer analysis, past loading and the forward passes (which stop between
    // layers only: a layer's forward over this probe takes about half a second), then Cancel.
    const auto in_layers = [&] {
        for (const auto& args : progress)
            if (args.front().toString().startsWith("layer 0: ranks"))
                return true;
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(in_layers(), test::kPatience);
    QTest::qWait(200);
    QVERIFY2(w.analysing(), "the analysis finished before it could be cancelled");
    const auto t0 = std::chrono::steady_clock::now();
    QTest::mouseClick(w.findChild<QPushButton*>("cancel"), Qt::LeftButton);
    QVERIFY(done.wait(5000));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    qInfo("cancelled after %.3f s", seconds);
    QCOMPARE(done.front().front().toBool(), false);
    QVERIFY2(seconds < 1.0, qPrintable(QString::number(seconds)));
    QVERIFY(!w.analysing());
    QCOMPARE(w.result(), before);  // the model shown before stays
    // The app goes on: the same checkpoint with a short probe analyses to the end.
    w.probe_editor()->setPlainText("short probe");
    QVERIFY(test::open_and_wait(w, test::sample("sc-mamba")));
    QCOMPARE(static_cast<int>(w.result()->report.layers.size()), 2);
}

void TestGuiCancel::layers_arrive_as_they_are_done() {
    // 8 layers of d_model 256 (one training step by the CLI) on a 3000-byte probe: about half a
    // second per layer in the optimised build, many more under the sanitizers.
    QTemporaryDir dir;
    QProcess train;
    train.start(
        qEnvironmentVariable("SSMSCOPE_CLI"),
        {"train", "--arch", "mamba", "--corpus", "demo", "--out", dir.path(), "--d-model", "256",
         "--n-layer", "8", "--steps", "1", "--batch", "1", "--seq-len", "16", "--quiet"});
    QVERIFY(train.waitForFinished(test::kPatience));
    QCOMPARE(train.exitCode(), 0);
    constexpr int n_layer = 8;

    gui::MainWindow w;
    w.show();
    QString probe;
    for (int i = 0; probe.size() < 3000; ++i)
        probe += QStringLiteral("token %1 of a long probe; ").arg(i);
    probe.truncate(3000);
    w.probe_editor()->setPlainText(probe);
    auto* job = w.findChild<gui::AnalysisJob*>();
    QVERIFY(job);
    auto* summary = w.findChild<QTableWidget*>("model_summary");
    QVERIFY(summary);
    gui::LayerTableModel* rows = w.overview()->layer_model();

    QStringList events;  // in the order the GUI thread saw them
    QString last_stage;
    connect(job, &gui::AnalysisJob::progress, this,
            [&](const QString& stage, double) { last_stage = stage; });
    connect(job, &gui::AnalysisJob::opened, this, [&] {
        events << QStringLiteral("opened: %1 summary rows, %2 layer rows")
                      .arg(summary->rowCount() > 0 ? "some" : "no")
                      .arg(rows->rowCount());
    });
    connect(job, &gui::AnalysisJob::layer_done, this, [&] {
        events << QStringLiteral("layer: %1 rows, %2").arg(rows->rowCount()).arg(last_stage);
    });
    // The longest the GUI thread went without serving a 5 ms timer while the analysis ran.
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QElapsedTimer clock;
    qint64 last = -1, worst = 0;  // from the first tick on
    QTimer tick;
    tick.setInterval(5);
    connect(&tick, &QTimer::timeout, this, [&] {
        const qint64 now = clock.elapsed();
        if (last >= 0)
            worst = std::max(worst, now - last);
        last = now;
    });
    QSignalSpy done(&w, &gui::MainWindow::analysis_done);
    w.open_checkpoint(dir.path());
    clock.start();
    tick.start();
    QTRY_VERIFY_WITH_TIMEOUT(events.size() >= 3, test::kPatience);
    QVERIFY2(w.analysing(), "the analysis finished before it could be cancelled");
    // The summary came first, with no layer; then layer 0's row, before the last layer began.
    QCOMPARE(events[0], QStringLiteral("opened: some summary rows, 0 layer rows"));
    QVERIFY2(events[1].startsWith("layer: 1 rows"), qPrintable(events[1]));
    QVERIFY2(events[2].startsWith("layer: 2 rows"), qPrintable(events[2]));
    QVERIFY2(!events[1].contains(QStringLiteral("layer %1 of").arg(n_layer - 1)),
             qPrintable(events[1]));
    QVERIFY(!w.result()->complete);

    const auto t0 = std::chrono::steady_clock::now();
    QTest::mouseClick(w.findChild<QPushButton*>("cancel"), Qt::LeftButton);
    QVERIFY(done.wait(5000));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    tick.stop();
    qInfo("%d layers shown, cancelled after %.3f s, longest GUI-thread stall %lld ms",
          static_cast<int>(w.result()->report.layers.size()), seconds, worst);
    QCOMPARE(done.front().front().toBool(), false);
    QVERIFY2(seconds < 1.0, qPrintable(QString::number(seconds)));
    QVERIFY2(worst < 100, qPrintable(QStringLiteral("%1 ms").arg(worst)));
    // The layers finished before Cancel stay, each with its row.
    const auto shown = static_cast<int>(w.result()->report.layers.size());
    QVERIFY(shown >= 2 && shown < n_layer);
    QCOMPARE(rows->rowCount(), shown);
    QCOMPARE(static_cast<int>(w.result()->trace.layers.size()), shown);
}

QTEST_MAIN(TestGuiCancel)
#include "test_gui_cancel.moc"
