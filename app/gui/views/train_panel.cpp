#include "app/gui/views/train_panel.hpp"

#include <QButtonGroup>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <cmath>
#include <thread>

#include "app/gui/core/devices.hpp"
#include "app/gui/core/train_process_job.hpp"
#include "app/gui/core/train_thread_job.hpp"
#include "app/gui/plots/plot.hpp"
#include "app/usecase/layer_list.hpp"
#include "base/error.hpp"

namespace ssmscope::gui {

namespace {

QSpinBox* spin(int lo, int hi, int value) {
    auto* s = new QSpinBox;
    s->setRange(lo, hi);
    s->setValue(value);
    return s;
}

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
    new_model_ = new QRadioButton(tr("New model"));
    finetune_ = new QRadioButton(tr("Fine-tune the loaded checkpoint"));
    new_model_->setChecked(true);
    finetune_->setEnabled(false);
    auto* source = new QButtonGroup(this);
    source->addButton(new_model_);
    source->addButton(finetune_);

    arch_ = new QComboBox;
    arch_->setObjectName("arch");
    arch_->addItems({"mamba", "sc-mamba", "so-mamba", "mamba2", "st-mamba2"});
    d_model_ = spin(8, 8192, 64);
    n_layer_ = spin(1, 128, 2);
    d_state_ = spin(1, 256, 8);
    expand_ = spin(1, 8, 2);
    headdim_ = spin(1, 1024, 16);
    ngroups_ = spin(1, 64, 1);
    d_conv_ = spin(1, 16, 4);
    auto* model_box = new QGroupBox(tr("Architecture"));
    auto* mf = new QFormLayout(model_box);
    mf->addRow(tr("Architecture"), arch_);
    mf->addRow(tr("d_model"), d_model_);
    mf->addRow(tr("Layers"), n_layer_);
    mf->addRow(tr("d_state (N)"), d_state_);
    mf->addRow(tr("expand"), expand_);
    mf->addRow(tr("head dim (Mamba-2)"), headdim_);
    mf->addRow(tr("groups (Mamba-2)"), ngroups_);
    mf->addRow(tr("conv width"), d_conv_);

    blocks_ = new QLineEdit("0");
    blocks_->setObjectName("blocks");
    blocks_->setToolTip(tr("layers to fine-tune, e.g. 0,2 or 1-3"));
    lora_rank_ = spin(0, 1024, 0);
    lora_rank_->setObjectName("lora_rank");
    lora_rank_->setSpecialValueText(tr("0 (train the blocks fully)"));
    auto* ft_box = new QGroupBox(tr("Fine-tuning"));
    auto* ff = new QFormLayout(ft_box);
    ff->addRow(tr("Blocks"), blocks_);
    ff->addRow(tr("LoRA rank"), lora_rank_);

    corpus_ = new QLineEdit("demo");
    corpus_->setObjectName("corpus");
    corpus_->setToolTip(tr("a text file, or \"demo\" for the corpus built from installed sources"));
    auto* browse_corpus = new QPushButton(tr("…"));
    connect(browse_corpus, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Training corpus"));
        if (!f.isEmpty())
            corpus_->setText(f);
    });
    auto* corpus_row = new QHBoxLayout;
    corpus_row->addWidget(corpus_, 1);
    corpus_row->addWidget(browse_corpus);
    steps_ = spin(1, 10'000'000, 300);
    steps_->setObjectName("steps");
    lr_ = new QDoubleSpinBox;
    lr_->setDecimals(6);
    lr_->setRange(1e-6, 1);
    lr_->setSingleStep(1e-4);
    lr_->setValue(3e-3);
    batch_ = spin(1, 4096, 8);
    batch_->setObjectName("batch");
    seq_len_ = spin(2, 65536, 64);
    seq_len_->setObjectName("seq_len");
    stability_every_ = spin(1, 100000, 10);
    stability_every_->setObjectName("stability_every");
    device_ = new QComboBox;
    device_->addItem("cpu");
    if (cuda_available())
        device_->addItem("cuda");
    nproc_ = spin(1, 64, 1);
    nproc_->setObjectName("nproc");
    nproc_->setToolTip(tr("data-parallel worker processes on this machine (PyTorch c10d, Gloo)"));
    out_ = new QLineEdit;
    out_->setObjectName("out");
    out_->setPlaceholderText(tr("a new folder under the app's data folder"));
    auto* run_box = new QGroupBox(tr("Run"));
    auto* rf = new QFormLayout(run_box);
    rf->addRow(tr("Corpus"), corpus_row);
    rf->addRow(tr("Steps"), steps_);
    rf->addRow(tr("Learning rate"), lr_);
    rf->addRow(tr("Batch (global)"), batch_);
    rf->addRow(tr("Sequence length"), seq_len_);
    rf->addRow(tr("Stability every"), stability_every_);
    rf->addRow(tr("Device"), device_);
    rf->addRow(tr("Processes"), nproc_);
    rf->addRow(tr("Run folder"), out_);

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

    auto* buttons = new QGridLayout;
    buttons->addWidget(start_, 0, 0);
    buttons->addWidget(pause_, 0, 1);
    buttons->addWidget(stop_, 0, 2);
    buttons->addWidget(resume_, 1, 0, 1, 2);
    buttons->addWidget(open_, 1, 2);

    auto* form = new QWidget;
    auto* fl = new QVBoxLayout(form);
    fl->addWidget(new_model_);
    fl->addWidget(finetune_);
    fl->addWidget(model_box);
    fl->addWidget(ft_box);
    fl->addWidget(run_box);
    fl->addLayout(buttons);
    fl->addWidget(progress_);
    fl->addWidget(status_);
    fl->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(form);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(form->sizeHint().width() + 24);
    scroll->setMaximumWidth(form->sizeHint().width() + 60);

    loss_ = new Plot(tr("Loss (nats per token)"));
    loss_->setObjectName("train_loss");
    perplexity_ = new Plot(tr("Perplexity"));
    perplexity_->setObjectName("train_perplexity");
    perplexity_->set_log_y(true);
    abscissa_ = new Plot(tr("Spectral abscissa max Re λ(A) per layer"));
    abscissa_->setObjectName("train_abscissa");
    lyapunov_ = new Plot(tr("Largest Lyapunov exponent per layer"));
    lyapunov_->setObjectName("train_lyapunov");
    auto* plots = new QGridLayout;
    plots->addWidget(loss_, 0, 0);
    plots->addWidget(perplexity_, 0, 1);
    plots->addWidget(abscissa_, 1, 0);
    plots->addWidget(lyapunov_, 1, 1);

    auto* layout = new QHBoxLayout(this);
    layout->addWidget(scroll);
    layout->addLayout(plots, 1);

    connect(new_model_, &QRadioButton::toggled, this, &TrainPanel::update_form);
    connect(arch_, &QComboBox::currentIndexChanged, this, &TrainPanel::update_form);
    connect(nproc_, &QSpinBox::valueChanged, this, &TrainPanel::update_form);
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
    clear_plots();
    update_form();
}

TrainPanel::~TrainPanel() = default;  // the job (a child) stops its run and waits for it

QList<Plot*> TrainPanel::plots() const {
    return {loss_, perplexity_, abscissa_, lyapunov_};
}

bool TrainPanel::running() const {
    return job_ && job_->running();
}

void TrainPanel::set_checkpoint(const QString& dir, int n_layer) {
    checkpoint_ = dir;
    checkpoint_layers_ = n_layer;
    finetune_->setEnabled(!dir.isEmpty());
    finetune_->setText(dir.isEmpty() ? tr("Fine-tune the loaded checkpoint")
                                     : tr("Fine-tune %1").arg(QFileInfo(dir).fileName()));
    blocks_->setToolTip(tr("layers to fine-tune, 0 to %1, e.g. 0,2 or 1-3").arg(n_layer - 1));
    update_form();
}

void TrainPanel::update_form() {
    const bool busy = running();
    const bool fresh = new_model_->isChecked();
    const QString arch = arch_->currentText();
    const bool heads = arch.contains("mamba2");
    for (QWidget* w : {static_cast<QWidget*>(arch_), static_cast<QWidget*>(d_model_),
                       static_cast<QWidget*>(n_layer_), static_cast<QWidget*>(d_state_),
                       static_cast<QWidget*>(expand_), static_cast<QWidget*>(d_conv_)})
        w->setEnabled(fresh && !busy);
    headdim_->setEnabled(fresh && heads && !busy);
    ngroups_->setEnabled(fresh && heads && !busy);
    blocks_->setEnabled(!fresh && !busy);
    lora_rank_->setEnabled(!fresh && !busy);
    for (QWidget* w : {static_cast<QWidget*>(corpus_), static_cast<QWidget*>(steps_),
                       static_cast<QWidget*>(lr_), static_cast<QWidget*>(batch_),
                       static_cast<QWidget*>(seq_len_), static_cast<QWidget*>(device_),
                       static_cast<QWidget*>(nproc_), static_cast<QWidget*>(out_),
                       static_cast<QWidget*>(stability_every_), static_cast<QWidget*>(new_model_)})
        w->setEnabled(!busy);
    finetune_->setEnabled(!busy && !checkpoint_.isEmpty());
    start_->setEnabled(!busy);
    resume_->setEnabled(!busy);
    stop_->setEnabled(busy);
    pause_->setEnabled(busy && job_ && job_->can_pause());
    pause_->setToolTip(busy && job_ && !job_->can_pause()
                           ? tr("a multi-process run cannot pause: its workers would time out")
                           : QString());
    open_->setEnabled(!busy && !last_out_.isEmpty());
}

TrainRequest TrainPanel::request() const {
    TrainRequest r;
    model::TrainOptions& o = r.options;
    o.corpus = corpus_->text().trimmed().toStdString();
    o.steps = steps_->value();
    o.lr = lr_->value();
    o.min_lr = lr_->value() / 10;
    o.warmup = std::min<std::int64_t>(30, std::max<std::int64_t>(o.steps / 10, 0));
    o.batch = batch_->value();
    o.seq_len = seq_len_->value();
    o.device = device_->currentText().toStdString();
    o.log_every = 1;  // every step reaches the live plots
    o.stability_every = stability_every_->value();
    o.eval_every = std::max<std::int64_t>(o.steps / 5, 1);
    o.eval_tokens = 4096;
    o.checkpoint_every = std::max<std::int64_t>(o.steps / 5, 1);
    r.nproc = nproc_->value();
    QString out = out_->text().trimmed();
    if (new_model_->isChecked()) {
        model::ModelSizes s;
        s.arch = *model::parse_arch(arch_->currentText().toStdString());
        s.d_model = d_model_->value();
        s.n_layer = n_layer_->value();
        s.d_state = d_state_->value();
        s.expand = expand_->value();
        s.headdim = headdim_->value();
        s.ngroups = ngroups_->value();
        s.d_conv = d_conv_->value();
        r.config = model::config_from_sizes(s);
    } else {
        o.base_checkpoint = checkpoint_.toStdString();
        try {
            o.blocks = usecase::parse_layer_list(blocks_->text().toStdString(), "Blocks");
        } catch (const InputError&) {
            o.blocks.clear();  // start() has refused the form already
        }
        o.lora_rank = lora_rank_->value();
    }
    if (out.isEmpty()) {
        const QString name =
            (new_model_->isChecked() ? arch_->currentText()
                                     : QFileInfo(checkpoint_).fileName() + "-finetune") +
            QDateTime::currentDateTime().toString("-yyyyMMdd-HHmmss");
        out = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/runs/" +
              name;
    }
    r.out = out.toStdString();
    return r;
}

void TrainPanel::start() {
    if (finetune_->isChecked()) {
        std::vector<std::int64_t> blocks;
        try {
            blocks = usecase::parse_layer_list(blocks_->text().toStdString(), "Blocks");
        } catch (const InputError& e) {
            status_->setText(QString::fromStdString(e.what()));
            return;
        }
        if (blocks.empty()) {
            status_->setText(tr("Blocks: give layer numbers such as 0,2 or 1-3."));
            return;
        }
    }
    TrainRequest r = request();
    QDir().mkpath(QFileInfo(QString::fromStdString(r.out)).absolutePath());
    begin(r);
}

void TrainPanel::resume_run(const QString& dir) {
    TrainRequest r = request();
    r.resume = dir.toStdString();
    r.options.steps = 0;  // keep the run's own number of steps
    begin(r);
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
    connect(job_, &TrainJob::evaluated, this, &TrainPanel::on_eval);
    connect(job_, &TrainJob::checkpointed, this, [this](qint64 step, const QString& dir) {
        status_->setText(tr("Checkpoint at step %1: %2").arg(step).arg(dir));
    });
    connect(job_, &TrainJob::paused, this,
            [this](bool p) { status_->setText(p ? tr("Paused.") : tr("Running.")); });
    connect(job_, &TrainJob::finished, this, &TrainPanel::on_finished);
    clear_plots();
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
    update_form();
}

void TrainPanel::clear_plots() {
    for (Plot* p : plots())
        p->reset();
    loss_->set_labels(tr("step"), tr("nats per token"));
    loss_->add_graph(tr("training"), {}, {}, Plot::palette(0), true);
    loss_->add_graph(tr("validation"), {}, {}, Plot::palette(1), true)
        ->setScatterStyle(QCPScatterStyle::ssDisc);
    perplexity_->set_labels(tr("step"), tr("perplexity"));
    perplexity_->add_graph(tr("training"), {}, {}, Plot::palette(0), true);
    perplexity_->add_graph(tr("validation"), {}, {}, Plot::palette(1), true)
        ->setScatterStyle(QCPScatterStyle::ssDisc);
    abscissa_->set_labels(tr("step"), tr("max Re λ(A)"));
    lyapunov_->set_labels(tr("step"), tr("λ_max per token"));
    for (Plot* p : {loss_, perplexity_}) {
        p->legend->setVisible(true);
        p->replot();
    }
    for (Plot* p : {abscissa_, lyapunov_})
        p->replot();
}

void TrainPanel::on_step(const model::StepEvent& e) {
    // A resumed multi-process run replays its log from the start: keep the steps in order.
    QCPGraph* train_loss = loss_->graph(0);
    if (train_loss->dataCount() > 0 &&
        train_loss->data()->at(train_loss->dataCount() - 1)->key >= static_cast<double>(e.step))
        return;
    const auto x = static_cast<double>(e.step);
    train_loss->addData(x, e.loss);
    perplexity_->graph(0)->addData(x, e.perplexity);
    if (e.stability) {
        const auto& layers = e.stability->layers;
        for (std::size_t l = 0; l < layers.size(); ++l) {
            for (Plot* p : {abscissa_, lyapunov_}) {
                while (p->graphCount() <= static_cast<int>(l)) {
                    const int k = p->graphCount();
                    p->add_graph(tr("layer %1").arg(k), {}, {}, Plot::palette(k), true)
                        ->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
                }
            }
            abscissa_->graph(static_cast<int>(l))->addData(x, layers[l].spectral_abscissa);
            lyapunov_->graph(static_cast<int>(l))->addData(x, layers[l].largest_lyapunov);
        }
        for (Plot* p : {abscissa_, lyapunov_})
            p->legend->setVisible(p->graphCount() > 1);
    }
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
    for (Plot* p : plots()) {
        p->rescaleAxes();
        p->replot(QCustomPlot::rpQueuedReplot);  // one repaint per event-loop pass
    }
    emit step_reported(e.step);
}

void TrainPanel::on_eval(const model::EvalEvent& e) {
    loss_->graph(1)->addData(static_cast<double>(e.step), e.loss);
    perplexity_->graph(1)->addData(static_cast<double>(e.step), e.perplexity);
    for (Plot* p : {loss_, perplexity_}) {
        p->rescaleAxes();
        p->replot(QCustomPlot::rpQueuedReplot);
    }
}

void TrainPanel::on_finished(bool ok, const QString& message, const QString& out) {
    last_out_ = ok || QFileInfo::exists(out + "/config.json") ? out : QString();
    status_->setText(ok ? tr("%1 — %2").arg(message, out)
                        : tr("<span style='color:#d55e00'>%1</span>").arg(message.toHtmlEscaped()));
    update_form();
    emit run_finished(ok, message);
}

}  // namespace ssmscope::gui
