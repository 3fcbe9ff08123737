#include "app/gui/views/train_form.hpp"

#include <QButtonGroup>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QVBoxLayout>

#include "app/gui/core/devices.hpp"
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

}  // namespace

TrainForm::TrainForm(QWidget* parent) : QWidget(parent) {
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
    precision_ = new QComboBox;
    precision_->setObjectName("precision");
    precision_->addItems({"auto", "float32", "bf16"});
    precision_->setToolTip(tr("bf16 autocast of the forward; auto: bf16 on CUDA, float32 on CPU"));
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
    rf->addRow(tr("Precision"), precision_);
    rf->addRow(tr("Processes"), nproc_);
    rf->addRow(tr("Run folder"), out_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new_model_);
    layout->addWidget(finetune_);
    layout->addWidget(model_box);
    layout->addWidget(ft_box);
    layout->addWidget(run_box);

    connect(new_model_, &QRadioButton::toggled, this, &TrainForm::update_enabled);
    connect(arch_, &QComboBox::currentIndexChanged, this, &TrainForm::update_enabled);
    update_enabled();
}

void TrainForm::set_checkpoint(const QString& dir, int n_layer) {
    checkpoint_ = dir;
    finetune_->setText(dir.isEmpty() ? tr("Fine-tune the loaded checkpoint")
                                     : tr("Fine-tune %1").arg(QFileInfo(dir).fileName()));
    blocks_->setToolTip(tr("layers to fine-tune, 0 to %1, e.g. 0,2 or 1-3").arg(n_layer - 1));
    update_enabled();
}

void TrainForm::set_busy(bool busy) {
    busy_ = busy;
    update_enabled();
}

int TrainForm::nproc() const {
    return nproc_->value();
}

void TrainForm::update_enabled() {
    const bool fresh = new_model_->isChecked();
    const bool heads = arch_->currentText().contains("mamba2");
    for (QWidget* w : {static_cast<QWidget*>(arch_), static_cast<QWidget*>(d_model_),
                       static_cast<QWidget*>(n_layer_), static_cast<QWidget*>(d_state_),
                       static_cast<QWidget*>(expand_), static_cast<QWidget*>(d_conv_)})
        w->setEnabled(fresh && !busy_);
    headdim_->setEnabled(fresh && heads && !busy_);
    ngroups_->setEnabled(fresh && heads && !busy_);
    blocks_->setEnabled(!fresh && !busy_);
    lora_rank_->setEnabled(!fresh && !busy_);
    for (QWidget* w :
         {static_cast<QWidget*>(corpus_), static_cast<QWidget*>(steps_), static_cast<QWidget*>(lr_),
          static_cast<QWidget*>(batch_), static_cast<QWidget*>(seq_len_),
          static_cast<QWidget*>(device_), static_cast<QWidget*>(precision_),
          static_cast<QWidget*>(nproc_), static_cast<QWidget*>(out_),
          static_cast<QWidget*>(stability_every_), static_cast<QWidget*>(new_model_)})
        w->setEnabled(!busy_);
    finetune_->setEnabled(!busy_ && !checkpoint_.isEmpty());
}

QString TrainForm::problem() const {
    if (!finetune_->isChecked())
        return {};
    try {
        if (usecase::parse_layer_list(blocks_->text().toStdString(), "Blocks").empty())
            return tr("Blocks: give layer numbers such as 0,2 or 1-3.");
    } catch (const InputError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

usecase::TrainRequest TrainForm::request() const {
    usecase::TrainForm f;
    f.fine_tune = finetune_->isChecked();
    f.corpus = corpus_->text().trimmed().toStdString();
    f.steps = steps_->value();
    f.lr = lr_->value();
    f.batch = batch_->value();
    f.seq_len = seq_len_->value();
    f.stability_every = stability_every_->value();
    f.device = device_->currentText().toStdString();
    f.precision = precision_->currentText().toStdString();
    f.nproc = nproc_->value();
    if (f.fine_tune) {
        f.base_checkpoint = checkpoint_.toStdString();
        try {
            f.blocks = usecase::parse_layer_list(blocks_->text().toStdString(), "Blocks");
        } catch (const InputError&) {
            f.blocks.clear();  // problem() names the error; the panel refuses to start
        }
        f.lora_rank = lora_rank_->value();
    } else {
        model::ModelSizes& s = f.sizes;
        s.arch = *model::parse_arch(arch_->currentText().toStdString());
        s.d_model = d_model_->value();
        s.n_layer = n_layer_->value();
        s.d_state = d_state_->value();
        s.expand = expand_->value();
        s.headdim = headdim_->value();
        s.ngroups = ngroups_->value();
        s.d_conv = d_conv_->value();
    }
    QString out = out_->text().trimmed();
    if (out.isEmpty()) {
        const QString name =
            (f.fine_tune ? QFileInfo(checkpoint_).fileName() + "-finetune" : arch_->currentText()) +
            QDateTime::currentDateTime().toString("-yyyyMMdd-HHmmss");
        out = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/runs/" +
              name;
    }
    f.out = out.toStdString();
    return usecase::train_request(f);
}

}  // namespace ssmscope::gui
