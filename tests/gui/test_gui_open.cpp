// Opening checkpoints in the desktop app: the layer list and the plots show what the checkpoint
// holds (sizes read independently from its config.json), a corrupt checkpoint gives an error
// dialog and keeps the model shown before, exports write complete files or nothing. Where the
// architecture does not matter, mamba2 stands for any checkpoint: it analyses fastest (the
// companion-form samples take five times as long under the sanitizers of CI).
#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "analysis/frozen_unit.hpp"
#include "app/gui/main_window.hpp"
#include "app/gui/models/layer_table_model.hpp"
#include "app/gui/plots/plot.hpp"
#include "app/gui/views/layer_view.hpp"
#include "app/gui/views/overview_view.hpp"
#include "tests/gui/gui_test_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace ssmscope;
using test::plot;

class TestGuiOpen : public QObject {
    Q_OBJECT
  private slots:
    void every_sample_shows_its_layers_and_eigenvalues();
    void a_corrupt_checkpoint_keeps_the_model_shown();
    void a_checkpoint_opened_again_comes_from_the_cache();
    void exports_are_complete_files();
    void a_full_disk_during_export_loses_nothing();
    void a_checkpoint_that_vanishes_during_analysis_leaves_the_app_usable();
    void a_single_checkpoint_file_opens_and_shows_its_format();
    void the_tokenizer_field_overrides_the_checkpoints_tokenizer();
    void the_layers_field_limits_the_analysis();
};

void TestGuiOpen::every_sample_shows_its_layers_and_eigenvalues() {
    gui::MainWindow w;
    w.show();
    for (const char* name : {"mamba", "mamba2", "sc-mamba", "so-mamba", "st-mamba2"}) {
        const auto config = test::read_json(test::sample(name) / "config.json");
        const int layers = config.value("num_hidden_layers", 0);
        const int n = config.value("state_size", 0);
        QVERIFY2(test::open_and_wait(w, test::sample(name)), name);
        gui::LayerTableModel* model = w.overview()->layer_model();
        QAbstractItemModelTester tester(model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model->rowCount(), layers);
        // The eigenvalue plot holds the N eigenvalues of the selected unit; with every unit
        // shown, units x N of them.
        w.tabs()->setCurrentWidget(w.layer_view());
        gui::Plot* eig = plot(*w.layer_view(), "eigenvalues");
        QVERIFY(eig);
        QCOMPARE(eig->point_count(), n);
        const auto& first = w.result()->report.layers.front();
        const bool scalar = first.form == analysis::StateForm::Scalar;
        auto* all = w.layer_view()->findChild<QCheckBox*>("all_units");
        all->setChecked(true);
        QCOMPARE(eig->point_count(), static_cast<int>(first.units) * n);
        all->setChecked(false);
        // The discrete plot shows exp(Δ_t λ) at the selected token (the last) of unit 0:
        // moduli exp(Δ_t Re λ) of the continuous points.
        gui::Plot* disc = plot(*w.layer_view(), "eigenvalues_discrete");
        QCOMPARE(disc->point_count(), n);
        const auto& layer0 = w.result()->trace.layers.front();
        const double delta = layer0.delta(layer0.tokens() - 1, 0);
        std::vector<double> expected, shown;
        for (int i = 0; i < n; ++i) {
            expected.push_back(std::exp(delta * eig->graph(0)->data()->at(i)->key));
            const auto p = disc->graph(0)->data()->at(i);
            shown.push_back(std::hypot(p->key, p->value));
        }
        std::sort(expected.begin(), expected.end());
        std::sort(shown.begin(), shown.end());
        for (int i = 0; i < n; ++i)
            QVERIFY(std::abs(expected[i] - shown[i]) <= 1e-9 * expected[i]);
        // Singular values of ctrb and obsv: N each (zeros are left off a log axis, so at most).
        QVERIFY(plot(*w.layer_view(), "singular_values")->point_count() <= 2 * n);
        QVERIFY(plot(*w.layer_view(), "singular_values")->point_count() >= 2);
        // Lyapunov spectrum: N exponents of the unit, and for the companion forms (the QR
        // estimate) N more, the limits mean(Δ) Re λ_i, computed here from the eigenvalue plot's
        // Re λ and the probe's steps; token norms: one line per probe token.
        const bool companion = std::string(first.lyapunov.method) == "qr";
        gui::Plot* lyap = plot(*w.layer_view(), "lyapunov_spectrum");
        QCOMPARE(lyap->point_count(), companion ? 2 * n : n);
        if (companion) {
            const double mean_delta = layer0.delta.col(0).mean();
            std::vector<double> limits, plotted;
            for (int i = 0; i < n; ++i) {
                limits.push_back(mean_delta * eig->graph(0)->data()->at(i)->key);
                plotted.push_back(lyap->graph(1)->data()->at(i)->value);
            }
            std::sort(limits.begin(), limits.end(), std::greater<>());
            for (int i = 0; i < n; ++i)
                QVERIFY(std::abs(limits[i] - plotted[i]) <= 1e-9 * std::abs(limits[i]) + 1e-15);
        }
        // The impulse response of the unit at the token: its first point |c_t B̄_t| and second
        // |c_t Ā_t B̄_t| from the frozen unit's sampled system.
        {
            const analysis::FrozenUnit f =
                analysis::frozen_unit(layer0, 0, layer0.tokens() - 1, w.result()->report.tol);
            gui::Plot* imp = plot(*w.layer_view(), "impulse_response");
            QVERIFY(imp->point_count() >= 2);
            const double k0 = std::abs((f.sampled.C * f.sampled.B)(0));
            const double k1 = std::abs((f.sampled.C * f.sampled.A * f.sampled.B)(0));
            QVERIFY(std::abs(imp->graph(0)->data()->at(0)->value - k0) <= 1e-9 * k0);
            QVERIFY(std::abs(imp->graph(0)->data()->at(1)->value - k1) <= 1e-9 * k1);
        }
        // The unit circle of λ(Ā) drawn round: one unit spans as many pixels on x as on y.
        disc->replot();
        const double px_x = disc->xAxis->coordToPixel(1) - disc->xAxis->coordToPixel(-1);
        const double px_y = disc->yAxis->coordToPixel(-1) - disc->yAxis->coordToPixel(1);
        QVERIFY2(std::abs(px_x - px_y) <= 1.0, qPrintable(QString("%1 vs %2").arg(px_x).arg(px_y)));
        QCOMPARE(plot(*w.layer_view(), "token_norms")->graphCount(),
                 std::min<int>(256, static_cast<int>(w.result()->report.tokens.size())));
        // Mamba-2's scalar A: ctrb of a frozen head has rank 1 (the structural fact of §3).
        if (scalar)
            QCOMPARE(first.ranks.ctrb.max, 1);
        // The overview plots one point per layer (two for the companion forms: the limit too),
        // layer axes ticked on whole layers only.
        gui::Plot* overview_lyap = plot(*w.overview(), "overview_lyapunov");
        QCOMPARE(overview_lyap->point_count(), companion ? 2 * layers : layers);
        w.tabs()->setCurrentWidget(w.overview());
        for (const char* p : {"overview_stability", "overview_ranks", "overview_lyapunov"}) {
            gui::Plot* op = plot(*w.overview(), p);
            op->replot();
            const QVector<double> ticks = op->xAxis->tickVector();
            QVERIFY(!ticks.isEmpty());
            for (double tick : ticks)
                QVERIFY2(tick == std::round(tick), qPrintable(QString("%1: %2").arg(p).arg(tick)));
        }
    }
}

void TestGuiOpen::a_corrupt_checkpoint_keeps_the_model_shown() {
    test::TempDir tmp;
    fs::copy(test::sample("mamba"), tmp / "broken");
    // The weights cut in half: the safetensors header promises more bytes than there are.
    const fs::path weights = tmp / "broken" / "model.safetensors";
    fs::resize_file(weights, fs::file_size(weights) / 2);

    gui::MainWindow w;
    w.show();
    QVERIFY(test::open_and_wait(w, test::sample("mamba2")));
    const auto before = w.result();
    const int rows = w.overview()->layer_model()->rowCount();
    QVERIFY(!test::open_and_wait(w, tmp / "broken"));
    QMessageBox* box = w.error_dialog();
    QVERIFY(box);
    QVERIFY(box->isVisible());
    QVERIFY2(box->text().contains("model.safetensors"), qPrintable(box->text()));
    QCOMPARE(w.result(), before);
    QCOMPARE(w.overview()->layer_model()->rowCount(), rows);
    box->accept();
    QTRY_VERIFY(!w.error_dialog());
    // A missing directory and an empty one: a message each, still the same model.
    QVERIFY(!test::open_and_wait(w, tmp / "absent"));
    QVERIFY(w.error_dialog());
    fs::create_directory(tmp / "empty");
    QVERIFY(!test::open_and_wait(w, tmp / "empty"));
    QVERIFY2(w.error_dialog()->text().contains("no checkpoint here"),
             qPrintable(w.error_dialog()->text()));
    QCOMPARE(w.result(), before);
    // And the app still opens a good checkpoint.
    QVERIFY(test::open_and_wait(w, test::sample("mamba")));
    QVERIFY(w.result() != before);
}

// The summary's row of that label, empty when there is none.
static std::string summary_row(const gui::AnalysisResult& r, const std::string& label) {
    for (const auto& [l, v] : r.summary.rows) {
        if (l == label)
            return v;
    }
    return {};
}

void TestGuiOpen::a_single_checkpoint_file_opens_and_shows_its_format() {
    gui::MainWindow w;
    const fs::path folder = test::sample("mamba2");
    QVERIFY(test::open_and_wait(w, folder / "model.safetensors"));
    QCOMPARE(summary_row(*w.result(), "format"), std::string("safetensors"));
    QCOMPARE(fs::path(w.result()->request.checkpoint), folder / "model.safetensors");
    const int layers = test::read_json(folder / "config.json").value("num_hidden_layers", 0);
    QCOMPARE(w.overview()->layer_model()->rowCount(), layers);
    // config.json is part of a folder's checkpoint: dropping it opens the folder.
    QVERIFY(test::open_and_wait(w, folder / "config.json"));
    QCOMPARE(fs::path(w.result()->request.checkpoint), folder);
    // A GGUF file carries its configuration: 2 layers in tests/data/gguf/mamba1.
    const fs::path gguf = fs::path(SSMSCOPE_SOURCE_DIR) / "tests/data/gguf/mamba1-q8_0.gguf";
    QVERIFY(test::open_and_wait(w, gguf));
    const std::string format = summary_row(*w.result(), "format");
    QVERIFY2(format.find("GGUF") != std::string::npos && format.find("Q8_0") != std::string::npos,
             format.c_str());
    const int gguf_layers = test::read_json(gguf.parent_path() / "mamba1" / "config.json")
                                .value("num_hidden_layers", 0);
    QCOMPARE(w.overview()->layer_model()->rowCount(), gguf_layers);
}

void TestGuiOpen::the_tokenizer_field_overrides_the_checkpoints_tokenizer() {
    const fs::path data = fs::path(SSMSCOPE_SOURCE_DIR) / "tests/data/tokenizers";
    gui::MainWindow w;
    w.probe_editor()->setPlainText("Hello world");
    QVERIFY(test::open_and_wait(w, test::sample("mamba2")));
    QCOMPARE(static_cast<int>(w.result()->report.tokens.size()), 11);  // byte-level: 11 bytes
    // The same text through a 41-token BPE: 7 ids, as tokenizers.js gives them
    // (reference_ids.json).
    w.tokenizer_field()->setText(test::qpath(data / "neox_small.json"));
    QVERIFY(test::open_and_wait(w, test::sample("mamba2")));
    QCOMPARE(static_cast<int>(w.result()->report.tokens.size()), 7);
    QVERIFY(summary_row(*w.result(), "tokenizer").find("neox_small.json") != std::string::npos);
    // A tokenizer that is not there: a message naming it, the last model still shown.
    const auto before = w.result();
    w.tokenizer_field()->setText(test::qpath(data / "absent.json"));
    QVERIFY(!test::open_and_wait(w, test::sample("mamba2")));
    QVERIFY(w.error_dialog());
    QVERIFY2(w.error_dialog()->text().contains("absent.json"),
             qPrintable(w.error_dialog()->text()));
    QCOMPARE(w.result(), before);
}

void TestGuiOpen::the_layers_field_limits_the_analysis() {
    gui::MainWindow w;
    const fs::path folder = test::sample("mamba2");
    const int layers = test::read_json(folder / "config.json").value("num_hidden_layers", 0);
    QVERIFY(layers >= 2);
    w.layers_field()->setText(QString::number(layers - 1));
    QVERIFY(test::open_and_wait(w, folder));
    QCOMPARE(static_cast<int>(w.result()->report.layers.size()), 1);
    QCOMPARE(w.result()->report.layers.front().index, layers - 1);
    QCOMPARE(w.overview()->layer_model()->rowCount(), 1);
    // "all", and empty for a model this small: every layer (not the one-layer result cached).
    for (const char* text : {"all", ""}) {
        w.layers_field()->setText(text);
        QVERIFY(test::open_and_wait(w, folder));
        QCOMPARE(static_cast<int>(w.result()->report.layers.size()), layers);
    }
    // A list that does not parse: a message naming the field, nothing started, nothing lost.
    const auto before = w.result();
    w.layers_field()->setText("1-x");
    w.open_checkpoint(test::qpath(folder));
    QVERIFY(!w.analysing());
    QVERIFY(w.error_dialog());
    QVERIFY2(w.error_dialog()->text().contains("Layers"), qPrintable(w.error_dialog()->text()));
    QCOMPARE(w.result(), before);
}

void TestGuiOpen::a_checkpoint_opened_again_comes_from_the_cache() {
    gui::MainWindow w;
    QVERIFY(test::open_and_wait(w, test::sample("mamba")));
    const auto first = w.result();
    QVERIFY(test::open_and_wait(w, test::sample("mamba2")));
    QVERIFY(test::open_and_wait(w, test::sample("mamba")));
    QCOMPARE(w.result(), first);  // the same object: not analysed again
    // Another probe text is another analysis.
    w.probe_editor()->setPlainText("A different probe.");
    QVERIFY(test::open_and_wait(w, test::sample("mamba")));
    QVERIFY(w.result() != first);
    QCOMPARE(static_cast<int>(w.result()->report.tokens.size()), 18);  // byte-level: 18 bytes
}

void TestGuiOpen::exports_are_complete_files() {
    test::TempDir tmp;
    gui::MainWindow w;
    QVERIFY(test::open_and_wait(w, test::sample("mamba2")));
    const int layers = test::read_json(test::sample("mamba2") / "config.json")["num_hidden_layers"];
    QVERIFY(w.export_report(test::qpath(tmp / "r.json")));
    auto j = test::read_json(tmp / "r.json");
    QCOMPARE(static_cast<int>(j["layers"].size()), layers);
    // The export is the document `analyze --json` writes: the same probe (the bundled one) gives
    // the same keys and values, but for the timings and the name the probe's source goes by.
    QProcess cli;
    cli.start(qEnvironmentVariable("SSMSCOPE_CLI"),
              {"analyze", test::qpath(test::sample("mamba2")), "--json", "--out",
               test::qpath(tmp / "cli.json")});
    QVERIFY(cli.waitForFinished(test::kPatience));
    QCOMPARE(cli.exitCode(), 0);
    auto c = test::read_json(tmp / "cli.json");
    QCOMPARE(j["probe"]["tokens"], c["probe"]["tokens"]);
    for (auto* doc : {&j, &c}) {
        doc->erase("seconds");
        (*doc)["probe"].erase("source");
    }
    QVERIFY2(j == c, "the GUI's Export and analyze --json differ");
    QVERIFY(w.export_report(test::qpath(tmp / "r.csv")));
    std::ifstream csv(tmp / "r.csv");
    int lines = 0;
    for (std::string line; std::getline(csv, line);)
        ++lines;
    QCOMPARE(lines, layers + 1);
    // Beside it the eigenvalues, one row per (layer, unit, index) of the JSON's "eigenvalues".
    std::ifstream eig(tmp / "r.eigenvalues.csv");
    std::string eig_header;
    std::getline(eig, eig_header);
    QCOMPARE(eig_header, std::string("layer,unit,index,re,im"));
    std::size_t rows = 0, want = 0;
    for (std::string line; std::getline(eig, line);)
        ++rows;
    for (const auto& l : j["layers"])
        for (const auto& u : l["eigenvalues"])
            want += u.size();
    QCOMPARE(rows, want);
    for (QWidget* tab :
         {static_cast<QWidget*>(w.overview()), static_cast<QWidget*>(w.layer_view())}) {
        w.tabs()->setCurrentWidget(tab);
        QVERIFY(w.export_plots(test::qpath(tmp.path()), "png"));
        QVERIFY(w.export_plots(test::qpath(tmp.path()), "pdf"));
        for (gui::Plot* p : w.plots()) {
            for (const char* ext : {".png", ".pdf"}) {
                const fs::path f = tmp / (p->objectName().toStdString() + ext);
                QVERIFY2(fs::exists(f) && fs::file_size(f) > 1000, f.c_str());
            }
        }
    }
    std::ifstream png(tmp / "eigenvalues.png", std::ios::binary);
    char magic[4] = {};
    png.read(magic, 4);
    QCOMPARE(std::string(magic + 1, 3), std::string("PNG"));
}

void TestGuiOpen::a_full_disk_during_export_loses_nothing() {
    test::TempDir tmp;
    gui::MainWindow w;
    QVERIFY(test::open_and_wait(w, test::sample("mamba")));
    QVERIFY(w.export_report(test::qpath(tmp / "r.json")));
    const auto good = fs::file_size(tmp / "r.json");
    QVERIFY(w.export_plots(test::qpath(tmp.path()), "png"));
    const auto good_png = fs::file_size(tmp / "overview_stability.png");
    // A file-size limit makes every write beyond 1 kB fail as a full disk does (with SIGXFSZ
    // ignored, write() returns an error instead of killing the process).
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit old{};
    getrlimit(RLIMIT_FSIZE, &old);
    rlimit small = old;
    small.rlim_cur = 1024;
    QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
    const bool report_ok = w.export_report(test::qpath(tmp / "r.json"));
    QMessageBox* box = w.error_dialog();
    const QString report_message = box ? box->text() : QString();
    if (box)
        box->accept();
    const bool plots_ok = w.export_plots(test::qpath(tmp.path()), "png");
    box = w.error_dialog();
    const QString plot_message = box ? box->text() : QString();
    setrlimit(RLIMIT_FSIZE, &old);
    QVERIFY(!report_ok);
    QVERIFY2(report_message.contains("r.json"), qPrintable(report_message));
    QVERIFY(!plots_ok);
    QVERIFY2(plot_message.contains("overview_stability.png"), qPrintable(plot_message));
    // The files written before are untouched, and no temporary file is left behind.
    QCOMPARE(fs::file_size(tmp / "r.json"), good);
    QCOMPARE(fs::file_size(tmp / "overview_stability.png"), good_png);
    for (const auto& e : fs::directory_iterator(tmp.path()))
        QVERIFY2(e.path().filename().string().front() != '.', e.path().c_str());
    // The app goes on working.
    if (w.error_dialog())
        w.error_dialog()->accept();
    QVERIFY(w.export_report(test::qpath(tmp / "r2.json")));
}

void TestGuiOpen::a_checkpoint_that_vanishes_during_analysis_leaves_the_app_usable() {
    test::TempDir tmp;
    gui::MainWindow w;
    for (int attempt = 0; attempt < 3; ++attempt) {
        const fs::path dir = tmp / ("gone" + std::to_string(attempt));
        fs::copy(test::sample("mamba2"), dir);
        QSignalSpy done(&w, &gui::MainWindow::analysis_done);
        w.open_checkpoint(test::qpath(dir));
        // Removed at once, or after the loading started: either the analysis completes from
        // what was read, or it fails with a message naming the file.
        if (attempt > 0)
            QTest::qWait(20 * attempt);
        fs::remove_all(dir);
        // A copy whose analysis completed before it vanished is cached by its content: the
        // next copy's open then reports at once, before there is anything to wait for.
        QVERIFY(!done.isEmpty() || done.wait(test::kPatience));
        if (!done.front().front().toBool()) {
            QVERIFY(w.error_dialog());
            QVERIFY2(w.error_dialog()->text().contains(test::qpath(dir)),
                     qPrintable(w.error_dialog()->text()));
            w.error_dialog()->accept();
        }
    }
    QVERIFY(test::open_and_wait(w, test::sample("mamba")));
    QCOMPARE(w.overview()->layer_model()->rowCount(), 2);
}

QTEST_MAIN(TestGuiOpen)
#include "test_gui_open.moc"
