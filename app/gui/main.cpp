// ssmscope: the desktop app. `ssmscope [CKPT] [--screenshot FILE [--page overview|layer|train]
// [--train-steps K]]`; the screenshot mode renders the window once the checkpoint is analysed
// (and, with --train-steps, once a demo training run started from the panel has reported K
// steps), writes it as a PNG and exits: for tests and the README's pictures.
#include <QApplication>
#include <QCommandLineParser>
#include <QPixmap>
#include <QSaveFile>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>

#include "app/gui/main_window.hpp"
#include "app/gui/views/layer_view.hpp"
#include "app/gui/views/train_panel.hpp"

namespace {

int fail(const QString& message) {
    std::fprintf(stderr, "ssmscope: %s\n", qPrintable(message));
    QApplication::exit(2);
    return 2;
}

bool write_png(QWidget& w, const QString& path) {
    QSaveFile file(path);  // atomic: a temporary file renamed on commit
    return file.open(QIODevice::WriteOnly) && w.grab().save(&file, "PNG") && file.commit();
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("ssmscope");
    QApplication::setOrganizationName("ssmscope");
    QApplication::setApplicationVersion(SSMSCOPE_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Inspect selective state-space language models layer by layer; train and fine-tune.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("CKPT",
                                 "checkpoint folder, or a .gguf, .bin or .safetensors file");
    const QCommandLineOption screenshot("screenshot",
                                        "render the window after analysing CKPT to FILE (PNG) "
                                        "and exit",
                                        "FILE");
    const QCommandLineOption page("page", "tab of the screenshot: overview, layer or train", "PAGE",
                                  "overview");
    const QCommandLineOption train_steps(
        "train-steps",
        "with --page train: start a demo training run and take the screenshot "
        "after K steps",
        "K");
    parser.addOptions({screenshot, page, train_steps});
    parser.process(app);

    const QStringList args = parser.positionalArguments();
    if (args.size() > 1)
        return fail("give at most one checkpoint");
    const QString pages[] = {"overview", "layer", "train"};
    const int tab = static_cast<int>(
        std::find(std::begin(pages), std::end(pages), parser.value(page)) - std::begin(pages));
    if (tab == 3)
        return fail("--page: expected overview, layer or train, not " + parser.value(page));
    const QString shot = parser.value(screenshot);
    if (!shot.isEmpty() && args.isEmpty())
        return fail("--screenshot needs a checkpoint");
    bool ok = true;
    const int steps = parser.isSet(train_steps) ? parser.value(train_steps).toInt(&ok) : 0;
    if (!ok || steps < 0)
        return fail("--train-steps: expected a positive number of steps");

    ssmscope::gui::MainWindow window;
    window.show();
    if (!shot.isEmpty()) {
        auto take = [&window, shot] {
            // Let the plots finish their queued repaints first.
            QTimer::singleShot(300, &window, [&window, shot] {
                if (!write_png(window, shot)) {
                    fail("cannot write the screenshot " + shot);
                    return;
                }
                std::fprintf(stderr, "ssmscope: screenshot written to %s\n", qPrintable(shot));
                if (window.train_panel()->running()) {
                    QObject::connect(window.train_panel(), &ssmscope::gui::TrainPanel::run_finished,
                                     qApp, [] { QApplication::exit(0); });
                    window.train_panel()->stop();
                } else {
                    QApplication::exit(0);
                }
            });
        };
        QObject::connect(
            &window, &ssmscope::gui::MainWindow::analysis_done, &window,
            [&window, tab, steps, take](bool done) {
                if (!done) {
                    fail("the checkpoint could not be analysed");
                    return;
                }
                window.tabs()->setCurrentIndex(tab);
                if (tab == 2 && steps > 0) {
                    QObject::connect(window.train_panel(),
                                     &ssmscope::gui::TrainPanel::step_reported, &window,
                                     [steps, take](qint64 s) {
                                         if (s == steps)
                                             take();
                                     });
                    window.train_panel()->start();
                } else {
                    take();
                }
            },
            Qt::SingleShotConnection);
    }
    if (!args.isEmpty())
        window.open_checkpoint(args.front());
    return QApplication::exec();
}
