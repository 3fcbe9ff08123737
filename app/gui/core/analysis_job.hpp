// Runs run_analysis() on a worker thread and reports back on the GUI thread through queued
// signals: opened (the summary, at once) and progress, layer_done as each layer is analysed,
// then exactly one of finished, failed or cancelled. One analysis at a time;
// start() while one runs cancels it first.
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <thread>

#include "app/gui/core/analysis_result.hpp"

namespace ssmscope::gui {

class AnalysisJob : public QObject {
    Q_OBJECT
  public:
    explicit AnalysisJob(QObject* parent = nullptr);
    ~AnalysisJob() override;  // cancels and joins a running analysis

    void start(const AnalysisRequest& request);
    void cancel();  // returns at once; cancelled() follows within a fraction of a stage
    bool running() const { return running_; }

  signals:
    void progress(const QString& stage, double fraction);
    void opened(std::shared_ptr<const ssmscope::gui::OpenedCheckpoint> checkpoint);
    void layer_done(std::shared_ptr<const ssmscope::gui::AnalysedLayer> layer);
    void finished(std::shared_ptr<const ssmscope::gui::AnalysisResult> result);
    void failed(const QString& message);
    void cancelled();

  private:
    void join();

    std::thread thread_;
    // Each run gets its own flag: a cancelled run that is still unwinding must not see the next
    // run's flag cleared.
    std::shared_ptr<std::atomic<bool>> cancel_;
    bool running_ = false;
    unsigned generation_ = 0;  // signals of a superseded run are dropped
};

}  // namespace ssmscope::gui
