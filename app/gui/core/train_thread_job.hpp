// A training run in this process: model::Trainer on a worker thread, its listener's events
// queued to the GUI thread, Pause and Stop through model::TrainControl.
#pragma once

#include <memory>
#include <thread>

#include "app/gui/core/train_job.hpp"

namespace ssmscope::model {
struct TrainControl;
}

namespace ssmscope::gui {

class TrainThreadJob : public TrainJob {
    Q_OBJECT
  public:
    explicit TrainThreadJob(QObject* parent = nullptr);
    ~TrainThreadJob() override;  // stops and joins a running run (it saves a checkpoint)

    void start(const TrainRequest& request) override;
    void set_paused(bool paused) override;
    void stop() override;
    bool can_pause() const override { return true; }
    bool running() const override { return running_; }

  private:
    std::thread thread_;
    std::shared_ptr<model::TrainControl> control_;
    bool running_ = false;
};

}  // namespace ssmscope::gui
