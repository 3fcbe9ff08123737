// Training and fine-tuning from the GUI: the form (TrainForm) beside the live plots
// (TrainPlots), with Start / Pause / Stop / Resume, progress, status and the run's warnings. The
// panel drives the run, a TrainJob: a worker thread, or worker processes when more than one is
// asked for.
#pragma once

#include <QWidget>

#include "app/gui/core/train_job.hpp"
#include "model/train/train_events.hpp"

class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace ssmscope::gui {

class Plot;
class TrainForm;
class TrainPlots;

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
    void on_warning(const model::WarningEvent& w);
    void on_finished(bool ok, const QString& message, const QString& out);
    void update_buttons();

    TrainJob* job_ = nullptr;
    QString last_out_;
    std::int64_t total_steps_ = 0;

    TrainForm* form_;
    TrainPlots* plots_;
    QPushButton *start_, *pause_, *stop_, *resume_, *open_;
    QProgressBar* progress_;
    QLabel* status_;
    QListWidget* warnings_;  // the stability watch's and the LoRA check's warnings, in order
};

}  // namespace ssmscope::gui
