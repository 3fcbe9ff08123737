// A training run seen from the GUI thread: started, steered (pause, stop) and followed through
// signals, whether it runs in this process on a worker thread (TrainThreadJob) or in worker
// processes of ssmscope-cli (TrainProcessJob). Every signal is delivered on the GUI thread.
#pragma once

#include <QObject>
#include <QString>

#include "app/usecase/train_request.hpp"
#include "model/train/train_events.hpp"

namespace ssmscope::gui {

using usecase::TrainRequest;

class TrainJob : public QObject {
    Q_OBJECT
  public:
    using QObject::QObject;

    virtual void start(const TrainRequest& request) = 0;
    virtual void set_paused(bool paused) = 0;
    virtual void stop() = 0;  // saves a checkpoint, then finished() follows
    virtual bool can_pause() const = 0;
    virtual bool running() const = 0;

  signals:
    void started(const QString& description);
    void step(const ssmscope::model::StepEvent& event);
    void evaluated(const ssmscope::model::EvalEvent& event);
    void checkpointed(qint64 step, const QString& dir);
    void paused(bool paused);
    void warned(const ssmscope::model::WarningEvent& warning);
    // The run ended: `ok` unless it failed (bad input, non-finite loss, a worker died); `out` is
    // the run directory, whose newest checkpoint the analysis views can open.
    void finished(bool ok, const QString& message, const QString& out);
};

}  // namespace ssmscope::gui
