#include "app/gui/core/analysis_job.hpp"

#include <QMetaObject>
#include <QPointer>

#include "app/gui/core/run_analysis.hpp"
#include "base/error.hpp"

namespace ssmscope::gui {

AnalysisJob::AnalysisJob(QObject* parent) : QObject(parent) {
    qRegisterMetaType<std::shared_ptr<const AnalysisResult>>();
    qRegisterMetaType<std::shared_ptr<const OpenedCheckpoint>>();
    qRegisterMetaType<std::shared_ptr<const AnalysedLayer>>();
}

AnalysisJob::~AnalysisJob() {
    cancel();
    join();
}

void AnalysisJob::join() {
    if (thread_.joinable())
        thread_.join();
}

void AnalysisJob::cancel() {
    if (cancel_)
        cancel_->store(true);
}

void AnalysisJob::start(const AnalysisRequest& request) {
    cancel();
    join();  // the previous run stops within a fraction of a stage
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    running_ = true;
    const unsigned generation = ++generation_;
    QPointer<AnalysisJob> self(this);
    // Every report is queued to this object's (the GUI) thread, where it is dropped if a newer
    // run has started since.
    auto post = [self, generation](auto f) {
        QMetaObject::invokeMethod(
            self,
            [self, generation, f] {
                if (self && self->generation_ == generation)
                    f(*self);
            },
            Qt::QueuedConnection);
    };
    thread_ = std::thread([request, flag = cancel_, post] {
        const auto progress = [&](const std::string& stage, double f) {
            post([s = QString::fromStdString(stage), f](AnalysisJob& job) {
                emit job.progress(s, f);
            });
        };
        try {
            Stream stream;
            stream.opened = [&](std::shared_ptr<const OpenedCheckpoint> c) {
                post([c](AnalysisJob& job) { emit job.opened(c); });
            };
            stream.layer = [&](std::shared_ptr<const AnalysedLayer> l) {
                post([l](AnalysisJob& job) { emit job.layer_done(l); });
            };
            auto result = run_analysis(request, progress, flag.get(), stream);
            post([result](AnalysisJob& job) {
                job.running_ = false;
                emit job.finished(result);
            });
        } catch (const Cancelled&) {
            post([](AnalysisJob& job) {
                job.running_ = false;
                emit job.cancelled();
            });
        } catch (const std::exception& e) {
            post([m = QString::fromStdString(e.what())](AnalysisJob& job) {
                job.running_ = false;
                emit job.failed(m);
            });
        }
    });
}

}  // namespace ssmscope::gui
