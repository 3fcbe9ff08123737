// A data-parallel training run in worker processes: `ssmscope-cli train --options FILE --nproc N`
// (FILE holding the request's TrainOptions, exactly what the in-process run would use; see
// usecase::worker_arguments) or `train --resume DIR --nproc N`, in a process group of its own,
// followed through rank 0's OUT/metrics.jsonl (the same events the in-process run reports). Stop
// sends SIGINT to the group, as Ctrl-C in a terminal would: every rank saves and stops together.
// Pausing is not offered (the ranks would time out waiting for each other).
#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QTimer>

#include "app/gui/core/train_job.hpp"

namespace ssmscope::gui {

class TrainProcessJob : public TrainJob {
    Q_OBJECT
  public:
    // cli: the ssmscope-cli executable.
    TrainProcessJob(QString cli, QObject* parent = nullptr);
    ~TrainProcessJob() override;  // stops the run and waits for it

    void start(const TrainRequest& request) override;
    void set_paused(bool) override {}
    void stop() override;
    bool can_pause() const override { return false; }
    bool running() const override;

    // The command line start() runs, reading the options from `options_file`.
    static QStringList arguments(const TrainRequest& request, const QString& options_file);

  private:
    void poll();  // reads the complete lines appended to metrics.jsonl since the last call
    void on_exit(int code, QProcess::ExitStatus status);

    QString cli_;
    QProcess process_;
    QTemporaryDir options_dir_;  // the options file, kept until the job goes
    QTimer timer_;
    QString metrics_, out_;
    qint64 offset_ = 0;
    bool started_ = false;
    int nproc_ = 1;
};

}  // namespace ssmscope::gui
