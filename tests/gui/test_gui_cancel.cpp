// Cancel stops a running analysis within a second and leaves the model shown before. The
// analysis is made long on purpose: SC-Mamba's selective c_t needs a staircase per channel and
// token, and its companion A a matrix exponential per token, over a probe of 4096 bytes.
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <chrono>

#include "app/gui/core/analysis_job.hpp"
#include "app/gui/main_window.hpp"
#include "tests/gui/gui_test_support.hpp"

using namespace ssmscope;

class TestGuiCancel : public QObject {
    Q_OBJECT
  private slots:
    void cancel_stops_within_a_second();
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

QTEST_MAIN(TestGuiCancel)
#include "test_gui_cancel.moc"
