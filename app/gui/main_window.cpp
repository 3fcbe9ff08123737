#include "app/gui/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <filesystem>

#include "app/gui/core/analysis_job.hpp"
#include "app/gui/core/export_report.hpp"
#include "app/gui/core/recent_files.hpp"
#include "app/gui/core/run_analysis.hpp"
#include "app/gui/plots/plot.hpp"
#include "app/gui/plots/save_plot.hpp"
#include "app/gui/views/layer_view.hpp"
#include "app/gui/views/overview_view.hpp"
#include "app/gui/views/train_panel.hpp"
#include "app/usecase/layer_list.hpp"
#include "model/io/checkpoint_source.hpp"

namespace ssmscope::gui {

namespace {

// A dropped or chosen path: a checkpoint folder or file, or a file that is part of a folder's.
QString checkpoint_dir_of(const QString& path) {
    const QFileInfo info(path);
    const std::filesystem::path open =
        model::checkpoint_to_open(info.absoluteFilePath().toStdString());
    return QString::fromStdString(open.string());
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle("ssmscope");
    setAcceptDrops(true);
    resize(1440, 900);

    job_ = new AnalysisJob(this);
    overview_ = new OverviewView;
    layer_ = new LayerView;
    train_ = new TrainPanel;
    tabs_ = new QTabWidget;
    tabs_->addTab(overview_, tr("&Overview"));
    tabs_->addTab(layer_, tr("&Layer"));
    tabs_->addTab(train_, tr("&Train"));
    setCentralWidget(tabs_);

    probe_ = new QPlainTextEdit(QString::fromStdString(default_probe_text()));
    probe_->setObjectName("probe_text");
    auto* run = new QPushButton(tr("Analyse"));
    run->setObjectName("analyse");
    auto* dock_body = new QWidget;
    auto* dl = new QVBoxLayout(dock_body);
    dl->setContentsMargins(4, 4, 4, 4);
    dl->addWidget(
        new QLabel(tr("The text the model reads; the frozen systems, Lyapunov "
                      "exponents and token norms come from it.")));
    dl->itemAt(0)->widget()->setProperty("wordWrap", true);
    dl->addWidget(probe_, 1);
    // Checkpoints that ship no tokenizer (the state-spaces ones use GPT-NeoX's) need one named.
    tokenizer_ = new QLineEdit;
    tokenizer_->setObjectName("tokenizer_path");
    tokenizer_->setPlaceholderText(tr("the checkpoint's own"));
    tokenizer_->setToolTip(
        tr("A tokenizer.json to read the probe text with, instead of the "
           "checkpoint's own"));
    auto* browse = new QToolButton;
    browse->setObjectName("tokenizer_browse");
    browse->setText(tr("…"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Choose a tokenizer.json"),
                                                          QString(), tr("tokenizer.json (*.json)"));
        if (!file.isEmpty())
            tokenizer_->setText(file);
    });
    auto* tokenizer_row = new QHBoxLayout;
    tokenizer_row->addWidget(new QLabel(tr("Tokenizer:")));
    tokenizer_row->addWidget(tokenizer_, 1);
    tokenizer_row->addWidget(browse);
    dl->addLayout(tokenizer_row);
    layers_ = new QLineEdit;
    layers_->setObjectName("layers_field");
    layers_->setPlaceholderText(tr("all (first, middle, last above 1 B parameters)"));
    layers_->setToolTip(
        tr("The layers to analyse, e.g. 0-3, 47, or all. Empty: every layer of a model up to "
           "1 B parameters; of a larger one the first, middle and last, which you can widen."));
    auto* layers_row = new QHBoxLayout;
    layers_row->addWidget(new QLabel(tr("Layers:")));
    layers_row->addWidget(layers_, 1);
    dl->addLayout(layers_row);
    dl->addWidget(run);
    auto* dock = new QDockWidget(tr("Probe text"));
    dock->setObjectName("probe_dock");
    dock->setWidget(dock_body);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    resizeDocks({dock}, {260}, Qt::Horizontal);

    progress_ = new QProgressBar;
    progress_->setObjectName("analysis_progress");
    progress_->setRange(0, 1000);
    progress_->setMaximumWidth(260);
    progress_->hide();
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->setObjectName("cancel");
    cancel_->hide();
    status_ = new QLabel;
    statusBar()->addWidget(status_, 1);
    statusBar()->addPermanentWidget(progress_);
    statusBar()->addPermanentWidget(cancel_);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open checkpoint folder…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(
            this, tr("Open a checkpoint folder (config.json + *.safetensors or pytorch_model.bin, "
                     "or one .gguf)"));
        if (!dir.isEmpty())
            open_checkpoint(dir);
    });
    open->setShortcut(QKeySequence::Open);
    QAction* open_file = file->addAction(tr("Open checkpoint &file…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open a checkpoint file"), QString(),
            tr("Checkpoints (*.gguf *.bin *.safetensors *.pt *.pth);;All files (*)"));
        if (!path.isEmpty())
            open_checkpoint(path);
    });
    open_file->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    recent_ = file->addMenu(tr("Open &recent"));
    file->addSeparator();
    export_report_ = file->addAction(tr("&Export report…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export the report"), "report.json", tr("JSON (*.json);;CSV (*.csv)"));
        if (!path.isEmpty())
            export_report(path);
    });
    export_report_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    export_plots_ = file->addAction(tr("Export &plots…"), this, [this] {
        QFileDialog dialog(this, tr("Export the plots of this tab into a folder"));
        dialog.setFileMode(QFileDialog::Directory);
        dialog.setOption(QFileDialog::ShowDirsOnly);
        if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty())
            return;
        const auto answer =
            QMessageBox::question(this, tr("Export plots"),
                                  tr("Save as PDF (vector) "
                                     "instead of PNG?"),
                                  QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        export_plots(dialog.selectedFiles().front(), answer == QMessageBox::Yes ? "pdf" : "png");
    });
    export_plots_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* analysis_menu = menuBar()->addMenu(tr("&Analysis"));
    analyse_ =
        analysis_menu->addAction(tr("&Analyse with the probe text"), this, &MainWindow::analyse);
    analyse_->setShortcut(QKeySequence(Qt::Key_F5));
    QAction* cancel = analysis_menu->addAction(tr("&Cancel"), this, &MainWindow::cancel_analysis);
    cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(dock->toggleViewAction());
    for (int i = 0; i < tabs_->count(); ++i) {
        QAction* a = view->addAction(tabs_->tabText(i).remove('&'), this,
                                     [this, i] { tabs_->setCurrentIndex(i); });
        a->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_1 + i)));
    }
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About ssmscope"), this, &MainWindow::about);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

    connect(run, &QPushButton::clicked, this, &MainWindow::analyse);
    connect(cancel_, &QPushButton::clicked, this, &MainWindow::cancel_analysis);
    connect(job_, &AnalysisJob::progress, this, [this](const QString& stage, double f) {
        progress_->setValue(static_cast<int>(1000 * f));
        status_->setText(stage);
    });
    // The summary at once, then each layer's row and plots as that layer is done.
    connect(job_, &AnalysisJob::opened, this, [this](std::shared_ptr<const OpenedCheckpoint> c) {
        previous_ = result_;
        streaming_ = std::make_shared<AnalysisResult>();
        streaming_->request = pending_request_;
        streaming_->checkpoint = c->checkpoint;
        streaming_->summary = c->summary;
        streaming_->layers = c->layers;
        streaming_->complete = false;
        show_result(streaming_);
        if (c->subset) {
            QStringList l;
            for (const std::int64_t i : c->layers)
                l << QString::number(i);
            statusBar()->showMessage(
                tr("A model of %1 parameters: analysing layers %2 of %3. Name more in Layers.")
                    .arg(c->checkpoint.parameters)
                    .arg(l.join(", "))
                    .arg(c->checkpoint.n_layer),
                15000);
        }
    });
    connect(job_, &AnalysisJob::layer_done, this, [this](std::shared_ptr<const AnalysedLayer> l) {
        if (!streaming_)
            return;
        streaming_->trace.layers.push_back(l->layer);
        streaming_->report.layers.push_back(l->report);
        streaming_->report.tol = l->tol;
        streaming_->report.n_layer = streaming_->checkpoint.n_layer;
        overview_->set_result(streaming_);
        // The layer view redraws a dozen plots: only when it is the tab in sight (or comes into
        // it), which keeps each arriving layer's work on the GUI thread to the overview's.
        if (tabs_->currentWidget() == layer_)
            layer_->set_result(streaming_);
        else
            layer_stale_ = true;
    });
    connect(tabs_, &QTabWidget::currentChanged, this, [this] {
        if (layer_stale_ && tabs_->currentWidget() == layer_) {
            layer_stale_ = false;
            layer_->set_result(result_);
        }
    });
    connect(job_, &AnalysisJob::finished, this, [this](std::shared_ptr<const AnalysisResult> r) {
        streaming_.reset();
        previous_.reset();
        cache_.insert(pending_key_.toStdString(), r);
        recent_files::add(pending_);
        show_result(std::move(r));
        status_->setText(tr("Analysed in %1 s.").arg(result_->seconds, 0, 'f', 2));
        update_actions();
        emit analysis_done(true);
    });
    connect(job_, &AnalysisJob::failed, this, [this](const QString& message) {
        restore_previous();
        update_actions();
        status_->setText(tr("Could not open %1.").arg(pending_));
        show_error(tr("Cannot open the checkpoint"), tr("%1\n\n%2").arg(pending_, message));
        emit analysis_done(false);
    });
    connect(job_, &AnalysisJob::cancelled, this, [this] {
        // The layers finished before Cancel stay shown; with none, the model shown before does.
        if (streaming_ && !streaming_->report.layers.empty()) {
            status_->setText(tr("Analysis cancelled: %1 of the layers shown.")
                                 .arg(streaming_->report.layers.size()));
            streaming_.reset();
            previous_.reset();
        } else {
            restore_previous();
            status_->setText(tr("Analysis cancelled."));
        }
        update_actions();
        emit analysis_done(false);
    });
    connect(overview_, &OverviewView::layer_activated, this, [this](int row) {
        layer_->select(row);
        tabs_->setCurrentWidget(layer_);
    });
    connect(train_, &TrainPanel::open_checkpoint, this, [this](const QString& dir) {
        tabs_->setCurrentWidget(overview_);
        open_checkpoint(dir);
    });
    update_recent_menu();
    update_actions();
}

MainWindow::~MainWindow() = default;

QMessageBox* MainWindow::error_dialog() const {
    return error_;
}

bool MainWindow::analysing() const {
    return job_->running();
}

QList<Plot*> MainWindow::plots() const {
    if (tabs_->currentWidget() == layer_)
        return layer_->plots();
    if (tabs_->currentWidget() == train_)
        return train_->plots();
    return overview_->plots();
}

void MainWindow::open_checkpoint(const QString& dir) {
    pending_ = checkpoint_dir_of(dir);
    AnalysisRequest request{
        pending_.toStdString(), probe_->toPlainText().toStdString(),
        probe_->document()->isModified() ? "the probe editor" : "samples/probe.txt",
        tokenizer_->text().trimmed().toStdString()};
    const QString layers = layers_->text().trimmed();
    if (layers.compare("all", Qt::CaseInsensitive) == 0) {
        request.layers = std::vector<std::int64_t>{};  // every layer, whatever the size
    } else if (!layers.isEmpty()) {
        try {
            request.layers = usecase::parse_layer_list(layers.toStdString(), "Layers");
        } catch (const std::exception& e) {
            show_error(tr("Cannot analyse these layers"), QString::fromStdString(e.what()));
            return;
        }
    }
    pending_request_ = request;
    pending_key_ = QString::fromStdString(AnalysisCache::key(request));
    if (auto cached = cache_.find(pending_key_.toStdString())) {
        job_->cancel();
        streaming_.reset();  // a run still going will not be shown, nor go back to before it
        previous_.reset();
        recent_files::add(pending_);
        show_result(std::move(cached));
        status_->setText(tr("%1 (cached analysis)").arg(pending_));
        update_actions();
        emit analysis_done(true);
        return;
    }
    status_->setText(tr("Opening %1…").arg(pending_));
    progress_->setValue(0);
    restore_previous();  // of a run this one replaces
    job_->start(request);
    update_actions();
}

void MainWindow::analyse() {
    if (result_)
        open_checkpoint(QString::fromStdString(result_->request.checkpoint));
    else if (!pending_.isEmpty())
        open_checkpoint(pending_);
}

void MainWindow::cancel_analysis() {
    if (job_->running()) {
        job_->cancel();
        status_->setText(tr("Cancelling…"));
    }
}

void MainWindow::show_result(std::shared_ptr<const AnalysisResult> result) {
    result_ = std::move(result);
    layer_stale_ = false;
    overview_->set_result(result_);
    layer_->set_result(result_);
    const QString dir = QString::fromStdString(result_->request.checkpoint);
    train_->set_checkpoint(dir, static_cast<int>(result_->summary.n_layer));
    setWindowTitle(tr("%1 — ssmscope").arg(QFileInfo(dir).fileName()));
    for (const std::string& w : result_->summary.warnings)
        statusBar()->showMessage(tr("warning: %1").arg(QString::fromStdString(w)), 10000);
    update_recent_menu();
}

void MainWindow::restore_previous() {
    if (!streaming_)
        return;  // the shown model never changed
    streaming_.reset();
    if (previous_) {
        show_result(std::move(previous_));
    } else {
        result_.reset();
        overview_->set_result(nullptr);
        layer_->set_result(nullptr);
        setWindowTitle("ssmscope");
    }
    previous_.reset();
}

void MainWindow::show_error(const QString& title, const QString& message) {
    // Window-modal and non-blocking: the app keeps running (and tests can inspect the dialog).
    if (error_)
        error_->close();
    error_ = new QMessageBox(QMessageBox::Critical, title, message, QMessageBox::Ok, this);
    error_->setAttribute(Qt::WA_DeleteOnClose);
    error_->open();
}

bool MainWindow::export_report(const QString& path) {
    if (!result_)
        return false;
    try {
        gui::export_report(*result_, path.toStdString());
        status_->setText(tr("Report written to %1.").arg(path));
        return true;
    } catch (const std::exception& e) {
        show_error(tr("Export failed"), QString::fromStdString(e.what()));
        return false;
    }
}

bool MainWindow::export_plots(const QString& dir, const QString& format) {
    int written = 0;
    for (Plot* p : plots()) {
        const QString path = QDir(dir).filePath(p->objectName() + "." + format);
        try {
            save_plot(*p, path);
            ++written;
        } catch (const std::exception& e) {
            show_error(tr("Export failed"), tr("%1\n\n%2 of %3 plots were written.")
                                                .arg(QString::fromStdString(e.what()))
                                                .arg(written)
                                                .arg(plots().size()));
            return false;
        }
    }
    status_->setText(tr("%1 plots written to %2.").arg(written).arg(dir));
    return true;
}

void MainWindow::update_recent_menu() {
    recent_->clear();
    const QStringList l = recent_files::list();
    for (const QString& dir : l)
        recent_->addAction(dir, this, [this, dir] { open_checkpoint(dir); });
    if (!l.isEmpty()) {
        recent_->addSeparator();
        recent_->addAction(tr("Clear the list"), this, [this] {
            for (const QString& d : recent_files::list())
                recent_files::remove(d);
            update_recent_menu();
        });
    }
    recent_->setEnabled(!l.isEmpty());
}

void MainWindow::update_actions() {
    const bool busy = job_->running();
    progress_->setVisible(busy);
    cancel_->setVisible(busy);
    export_report_->setEnabled(result_ != nullptr && !busy);
    export_plots_->setEnabled(result_ != nullptr || tabs_->currentWidget() == train_);
}

void MainWindow::about() {
    QMessageBox::about(
        this, tr("About ssmscope"),
        tr("<h3>ssmscope %1</h3><p>Selective state-space language models (Mamba, Mamba-2, the "
           "Sparse Mamba family) seen with a control engineer's eyes: controllability and "
           "observability, Gramians and Hankel singular values, eigenvalues and stability, "
           "Lyapunov exponents and token dynamics, layer by layer.</p><p>Built on Eigen, SLICOT, "
           "LibTorch, Qt and QCustomPlot. Licensed under the GNU GPL, version 3 or later.</p>")
            .arg(SSMSCOPE_VERSION));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls() && event->mimeData()->urls().front().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.front().isLocalFile())
        return;
    event->acceptProposedAction();
    open_checkpoint(urls.front().toLocalFile());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (train_->running()) {
        const auto answer = QMessageBox::question(
            this, tr("Training is running"),
            tr("Stop the training run (a checkpoint is saved, and it can be resumed) and quit?"));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        train_->stop();
    }
    job_->cancel();
    event->accept();
}

}  // namespace ssmscope::gui
