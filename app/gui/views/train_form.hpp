// The inputs of a training run: a new model (architecture and sizes) or the loaded checkpoint
// (blocks, LoRA rank), and the run's settings (corpus, steps, learning rate, batch, device,
// processes, folder). It produces a usecase::TrainRequest; the schedule behind the few fields it
// shows is usecase::derive_schedule's.
#pragma once

#include <QString>
#include <QWidget>

#include "app/usecase/train_request.hpp"

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QRadioButton;
class QSpinBox;

namespace ssmscope::gui {

class TrainForm : public QWidget {
    Q_OBJECT
  public:
    explicit TrainForm(QWidget* parent = nullptr);

    // The checkpoint the analysis views show: what "fine-tune the loaded checkpoint" trains.
    void set_checkpoint(const QString& dir, int n_layer);
    void set_busy(bool busy);  // a run is going: the inputs are locked
    // Empty when the form describes a run, else what to correct (the Blocks field's error).
    QString problem() const;
    usecase::TrainRequest request() const;
    int nproc() const;

  private:
    void update_enabled();

    QString checkpoint_;
    bool busy_ = false;
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
    QComboBox* precision_;
    QLineEdit* out_;
};

}  // namespace ssmscope::gui
