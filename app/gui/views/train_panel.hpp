// Training and fine-tuning from the GUI: a form for a new model (architecture and sizes) or the
// loaded checkpoint (blocks, LoRA rank), the run's settings (corpus, steps, learning rate,
// batch, device, processes), Start / Pause / Stop / Resume, and live plots of loss, perplexity
// and stability per layer that grow with every step the run reports. The run itself is a
// TrainJob: a worker thread, or worker processes when more than one is asked for.
#pragma once

#include <QWidget>

#include "app/gui/core/train_request.hpp"
#include "model/train/train_events.hpp"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace ssmscope::gui {

class Plot;
class TrainJob;

class TrainPanel : public QWidget {
    Q_OBJECT
  public:
    explicit TrainPanel(QWidget* parent = nullptr);
    ~TrainPanel() override;

    // The checkpoint the analysis views show: what "fine-tune the loaded checkpoint" trains.
    void set_checkpoint(const QString& dir, int n_layer);
    TrainRequest request() const;  // from the form
    bool running() const;
    QList<Plot*> plots() const;

  public slots:
    void start();
    void resume_run(const QString& dir);  // continues a stopped run
    void stop();

  signals:
    void open_checkpoint(const QString& dir);
    void step_reported(qint64 step);
    void run_finished(bool ok, const QString& message);

  private:
    void begin(const TrainRequest& request);
    void on_step(const model::StepEvent& e);
    void on_eval(const model::EvalEvent& e);
    void on_finished(bool ok, const QString& message, const QString& out);
    void update_form();
    void clear_plots();

    TrainJob* job_ = nullptr;
    QString checkpoint_, last_out_;
    int checkpoint_layers_ = 0;
    std::int64_t total_steps_ = 0;

    QRadioButton* new_model_;
    QRadioButton* finetune_;
    QComboBox* arch_;
    QSpinBox *d_model_, *n_layer_, *d_state_, *expand_, *headdim_, *ngroups_, *d_conv_;
    QLineEdit* blocks_;
    QSpinBox* lora_rank_;
    QLineEdit* corpus_;
    QSpinBox *steps_, *batch_, *seq_len_, *nproc_, *stability_every_;
    QDoubleSpinBox* lr_;
    QComboBox* device_;
    QLineEdit* out_;
    QPushButton *start_, *pause_, *stop_, *resume_, *open_;
    QProgressBar* progress_;
    QLabel* status_;
    Plot *loss_, *perplexity_, *abscissa_, *lyapunov_;
};

}  // namespace ssmscope::gui
