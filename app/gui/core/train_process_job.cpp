#include "app/gui/core/train_process_job.hpp"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <csignal>

#include <unistd.h>

#include "model/train/metrics_reader.hpp"

namespace ssmscope::gui {

TrainProcessJob::TrainProcessJob(QString cli, QObject* parent)
    : TrainJob(parent), cli_(std::move(cli)) {
    // The workers must stop on SIGINT to the group without the GUI receiving it.
    process_.setChildProcessModifier([] { ::setpgid(0, 0); });
    process_.setProcessChannelMode(QProcess::MergedChannels);
    connect(&process_, &QProcess::finished, this, &TrainProcessJob::on_exit);
    connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            emit finished(
                false, QStringLiteral("cannot run %1: %2").arg(cli_, process_.errorString()), out_);
    });
    timer_.setInterval(200);
    connect(&timer_, &QTimer::timeout, this, &TrainProcessJob::poll);
}

TrainProcessJob::~TrainProcessJob() {
    if (running()) {
        stop();
        if (!process_.waitForFinished(30000))
            process_.kill();
    }
}

QStringList TrainProcessJob::arguments(const TrainRequest& request, const QString& options_file) {
    QStringList a;
    for (const std::string& arg : usecase::worker_arguments(request, options_file.toStdString()))
        a << QString::fromStdString(arg);
    return a;
}

void TrainProcessJob::start(const TrainRequest& request) {
    out_ = QString::fromStdString(request.resume.empty() ? request.out : request.resume);
    metrics_ = out_ + "/metrics.jsonl";
    // A resumed run first rewrites the log up to its checkpoint: follow it from the start and
    // let the plots skip the steps they already hold.
    offset_ = 0;
    started_ = false;
    nproc_ = request.nproc;
    // Not in OUT, which must be empty when the run starts.
    const QString options_file = options_dir_.filePath("train-options.json");
    if (request.resume.empty()) {
        try {
            model::write_train_options(request.options, options_file.toStdString());
        } catch (const std::exception& e) {
            emit finished(false, QString::fromStdString(e.what()), out_);
            return;
        }
    }
    process_.start(cli_, arguments(request, options_file));
    timer_.start();
}

bool TrainProcessJob::running() const {
    return process_.state() != QProcess::NotRunning;
}

void TrainProcessJob::stop() {
    if (running())
        ::kill(-static_cast<pid_t>(process_.processId()), SIGINT);
}

void TrainProcessJob::poll() {
    QFile f(metrics_);
    if (!f.open(QIODevice::ReadOnly))
        return;  // not written yet
    if (f.size() < offset_)
        offset_ = 0;  // rewritten by a resumption
    f.seek(offset_);
    while (true) {
        const QByteArray line = f.readLine();
        if (line.isEmpty() || !line.endsWith('\n'))
            break;  // the rest is still being written
        offset_ += line.size();
        if (!started_) {
            const QString d =
                QJsonDocument::fromJson(line).object().value("description").toString();
            if (!d.isEmpty()) {
                started_ = true;
                emit started(QStringLiteral("%1 (%2 worker processes)").arg(d).arg(nproc_));
            }
        }
        const auto parsed = model::parse_metrics_line(line.toStdString());
        if (!parsed)
            continue;
        if (const auto* s = std::get_if<model::StepEvent>(&*parsed))
            emit step(*s);
        else if (const auto* e = std::get_if<model::EvalEvent>(&*parsed))
            emit evaluated(*e);
        else if (const auto* c = std::get_if<model::CheckpointLine>(&*parsed))
            emit checkpointed(c->step, QString::fromStdString(c->dir));
        else if (const auto* w = std::get_if<model::WarningEvent>(&*parsed))
            emit warned(*w);
    }
}

void TrainProcessJob::on_exit(int code, QProcess::ExitStatus status) {
    timer_.stop();
    poll();
    const QString log = QString::fromLocal8Bit(process_.readAll()).trimmed();
    const QString last = log.section('\n', -3);
    bool ok = status == QProcess::NormalExit && (code == 0 || code == 130);
    emit finished(
        ok,
        ok ? (code == 130 ? QStringLiteral("stopped; resumable") : QStringLiteral("finished"))
           : QStringLiteral("the run failed (exit code %1): %2").arg(code).arg(last),
        out_);
}

}  // namespace ssmscope::gui
