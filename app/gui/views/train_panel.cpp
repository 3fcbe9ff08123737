#include "app/gui/views/train_panel.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "app/gui/core/train_process_job.hpp"
#include "app/gui/core/train_thread_job.hpp"
#include "app/gui/views/train_form.hpp"
#include "app/gui/views/train_plots.hpp"

namespace ssmscope::gui {

namespace {

// $SSMSCOPE_CLI, else ssmscope-cli beside the app (installed) or in the build tree's app/cli.
QString find_cli() {
    if (const QString env = qEnvironmentVariable("SSMSCOPE_CLI"); !env.isEmpty())
        return env;
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString& p : {here.filePath("ssmscope-cli"), here.filePath("../cli/ssmscope-cli")}) {
        if (QFileInfo(p).isExecutable())
            return QFileInfo(p).canonicalFilePath();
    }
    return "ssmscope-cli";  // from PATH
}

}  // namespace

TrainPanel::TrainPanel(QWidget* parent) : QWidget(parent) {
    form_ = new TrainForm;
    plots_ = new TrainPlots;
    start_ = new QPushButton(tr("Start"));
    start_->setObjectName("start");
    pause_ = new QPushButton(tr("Pause"));
    pause_->setObjectName("pause");
    pause_->setCheckable(true);
    stop_ = new QPushButton(tr("Stop"));
    stop_->setObjectName("stop");
    resume_ = new QPushButton(tr("Resume a run…"));
    resume_->setObjectName("resume");
    open_ = new QPushButton(tr("Analyse the trained model"));
    open_->setObjectName("open_trained");
    progress_ = new QProgressBar;
    progress_->setObjectName("train_progress");
    status_ = new QLabel(tr("Idle."));
    status_->setObjectName("train_status");
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    warnings_ = new QListWidget;
    warnings_->setObjectName("train_warnings");
    warnings_->setWordWrap(true);
    warnings_->setToolTip(
        tr("Warnings of the run: a layer whose max ā passes 1 − 1e-4 or whose "
           "min |A| falls below 1e-4, the first non-finite value the stability "
           "probe meets, a LoRA adapter that gets no gradient"));
    warnings_->setVisible(false);  // until there is one

    auto* buttons = new QGridLayout;
    buttons->addWidget(start_, 0, 0);
    buttons->addWidget(pause_, 0, 1);
    buttons->addWidget(stop_, 0, 2);
    buttons->addWidget(resume_, 1, 0, 1, 2);
    buttons->addWidget(open_, 1, 2);

    auto* side = new QWidget;
    auto* sl = new QVBoxLayout(side);
    sl->addWidget(form_);
    sl->addLayout(buttons);
    sl->addWidget(progress_);
    sl->addWidget(status_);
    sl->addWidget(warnings_);
    sl->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(side);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(side->sizeHint().width() + 24);
    scroll->setMaximumWidth(side->sizeHint().width() + 60);

    auto* layout = new QHBoxLayout(this);
    layout->addWidget(scroll);
    layout->addWidget(plots_, 1);

    connect(start_, &QPushButton::clicked, this, &TrainPanel::start);
    connect(stop_, &QPushButton::clicked, this, &TrainPanel::stop);
    connect(pause_, &QPushButton::toggled, this, [this](bool p) {
        if (job_)
            job_->set_paused(p);
        pause_->setText(p ? tr("Continue") : tr("Pause"));
    });
    connect(resume_, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Resume a training run"));
        if (!dir.isEmpty())
            resume_run(dir);
    });
    connect(open_, &QPushButton::clicked, this, [this] {
        if (!last_out_.isEmpty())
            emit open_checkpoint(last_out_);
    });
    update_buttons();
}

TrainPanel::~TrainPanel() = default;  // the job (a child) stops its run and waits for it

QList<Plot*> TrainPanel::plots() const {
    return plots_->plots();
}

bool TrainPanel::running() const {
    return job_ && job_->running();
}

void TrainPanel::set_checkpoint(const QString& dir, int n_layer) {
    form_->set_checkpoint(dir, n_layer);
}

TrainRequest TrainPanel::request() const {
    return form_->request();
}

void TrainPanel::update_buttons() {
    const bool busy = running();
    form_->set_busy(busy);
    start_->setEnabled(!busy);
    resume_->setEnabled(!busy);
    stop_->setEnabled(busy);
    pause_->setEnabled(busy && job_ && job_->can_pause());
    pause_->setToolTip(busy && job_ && !job_->can_pause()
                           ? tr("a multi-process run cannot pause: its workers would time out")
                           : QString());
    open_->setEnabled(!busy && !last_out_.isEmpty());
}

void TrainPanel::start() {
    if (const QString problem = form_->problem(); !problem.isEmpty()) {
        status_->setText(problem);
        return;
    }
    const TrainRequest r = request();
    QDir().mkpath(QFileInfo(QString::fromStdString(r.out)).absolutePath());
    begin(r);
}

void TrainPanel::resume_run(const QString& dir) {
    begin(usecase::resume_request(dir.toStdString(), 0, form_->nproc()));  // its own steps
}

void TrainPanel::stop() {
    if (job_) {
        job_->stop();
        status_->setText(tr("Stopping after the current step (a checkpoint is saved)…"));
    }
}

void TrainPanel::begin(const TrainRequest& request) {
    if (running())
        return;
    if (job_)
        job_->deleteLater();
    if (request.nproc > 1)
        job_ = new TrainProcessJob(find_cli(), this);
    else
        job_ = new TrainThreadJob(this);
    connect(job_, &TrainJob::started, this, [this](const QString& d) { status_->setText(d); });
    connect(job_, &TrainJob::step, this, &TrainPanel::on_step);
    connect(job_, &TrainJob::evaluated, plots_, &TrainPlots::add_eval);
    connect(job_, &TrainJob::checkpointed, this, [this](qint64 step, const QString& dir) {
        status_->setText(tr("Checkpoint at step %1: %2").arg(step).arg(dir));
    });
    connect(job_, &TrainJob::paused, this,
            [this](bool p) { status_->setText(p ? tr("Paused.") : tr("Running.")); });
    connect(job_, &TrainJob::warned, this, &TrainPanel::on_warning);
    connect(job_, &TrainJob::finished, this, &TrainPanel::on_finished);
    plots_->clear();
    warnings_->clear();
    warnings_->setVisible(false);
    total_steps_ = request.resume.empty() ? request.options.steps : 0;
    progress_->setRange(0, static_cast<int>(std::max<std::int64_t>(total_steps_, 0)));
    progress_->setValue(0);
    {
        const QSignalBlocker b(pause_);
        pause_->setChecked(false);
        pause_->setText(tr("Pause"));
    }
    status_->setText(
        tr("Starting %1…")
            .arg(QString::fromStdString(request.resume.empty() ? request.out : request.resume)));
    job_->start(request);
    update_buttons();
}

void TrainPanel::on_step(const model::StepEvent& e) {
    if (!plots_->add_step(e))
        return;
    if (e.total_steps > 0)
        total_steps_ = e.total_steps;
    if (total_steps_ > 0) {
        progress_->setRange(0, static_cast<int>(total_steps_));
        progress_->setValue(static_cast<int>(e.step));
    }
    status_->setText(tr("Step %1%2: loss %3, perplexity %4, %5 tokens/s")
                         .arg(e.step)
                         .arg(total_steps_ > 0 ? tr(" of %1").arg(total_steps_) : QString())
                         .arg(e.loss, 0, 'f', 4)
                         .arg(e.perplexity, 0, 'f', 2)
                         .arg(e.tokens_per_second, 0, 'f', 0));
    emit step_reported(e.step);
}

void TrainPanel::on_warning(const model::WarningEvent& w) {
    const QString text = tr("step %1: %2").arg(w.step).arg(QString::fromStdString(w.message));
    // A resumed multi-process run replays its log from the start.
    if (!warnings_->findItems(text, Qt::MatchExactly).isEmpty())
        return;
    auto* item = new QListWidgetItem(text, warnings_);
    item->setForeground(QColor(0xd5, 0x5e, 0x00));  // the status line's colour for trouble
    warnings_->setVisible(true);
    warnings_->scrollToBottom();
}

void TrainPanel::on_finished(bool ok, const QString& message, const QString& out) {
    last_out_ = ok || QFileInfo::exists(out + "/config.json") ? out : QString();
    status_->setText(ok ? tr("%1 — %2").arg(message, out)
                        : tr("<span style='color:#d55e00'>%1</span>").arg(message.toHtmlEscaped()));
    update_buttons();
    emit run_finished(ok, message);
}

}  // namespace ssmscope::gui
