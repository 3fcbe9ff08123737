#include "app/gui/core/train_thread_job.hpp"

#include <QMetaObject>
#include <QPointer>

#include "model/train/trainer.hpp"

namespace ssmscope::gui {

namespace {

// The trainer's listener, on the worker thread: every event is copied and queued to the job.
class Forwarder : public model::TrainListener {
  public:
    explicit Forwarder(QPointer<TrainThreadJob> job) : job_(std::move(job)) {}

    template <typename F>
    void post(F f) {
        QMetaObject::invokeMethod(
            job_,
            [job = job_, f] {
                if (job)
                    f(*job);
            },
            Qt::QueuedConnection);
    }

    void on_start(const std::string& d) override {
        post([d = QString::fromStdString(d)](TrainThreadJob& j) { emit j.started(d); });
    }
    void on_step(const model::StepEvent& e) override {
        post([e](TrainThreadJob& j) { emit j.step(e); });
    }
    void on_eval(const model::EvalEvent& e) override {
        post([e](TrainThreadJob& j) { emit j.evaluated(e); });
    }
    void on_checkpoint(std::int64_t step, const std::string& dir) override {
        post([step, d = QString::fromStdString(dir)](TrainThreadJob& j) {
            emit j.checkpointed(step, d);
        });
    }
    void on_warning(const model::WarningEvent& w) override {
        post([w](TrainThreadJob& j) { emit j.warned(w); });
    }
    void on_paused(bool p) override {
        post([p](TrainThreadJob& j) { emit j.paused(p); });
    }
    // The last event; the thread reports it with the run directory once the trainer is gone.
    void on_finish(model::TrainOutcome o, const std::string& m) override {
        outcome = o;
        message = m;
    }

    model::TrainOutcome outcome = model::TrainOutcome::Finished;
    std::string message;

  private:
    QPointer<TrainThreadJob> job_;
};

}  // namespace

TrainThreadJob::TrainThreadJob(QObject* parent) : TrainJob(parent) {}

TrainThreadJob::~TrainThreadJob() {
    stop();
    if (thread_.joinable())
        thread_.join();
}

void TrainThreadJob::start(const TrainRequest& request) {
    if (thread_.joinable())
        thread_.join();  // the previous run has finished (running_ is false)
    control_ = std::make_shared<model::TrainControl>();
    running_ = true;
    QPointer<TrainThreadJob> self(this);
    thread_ = std::thread([request, control = control_, self] {
        Forwarder forward(self);
        bool ok = false;
        std::string message, out = request.resume.empty() ? request.out : request.resume;
        try {
            std::unique_ptr<model::Trainer> trainer =
                request.resume.empty()
                    ? model::Trainer::start(request.options, request.config, request.out)
                    : model::Trainer::resume(request.resume, request.options.steps);
            trainer->run(forward, *control);
            ok = forward.outcome != model::TrainOutcome::NonFinite;
            message = forward.message;
        } catch (const std::exception& e) {
            message = e.what();
        }
        forward.post([ok, m = QString::fromStdString(message),
                      o = QString::fromStdString(out)](TrainThreadJob& j) {
            j.running_ = false;
            emit j.finished(ok, m, o);
        });
    });
}

void TrainThreadJob::set_paused(bool paused) {
    if (control_)
        control_->pause = paused;
}

void TrainThreadJob::stop() {
    if (control_)
        control_->stop = true;
}

}  // namespace ssmscope::gui
