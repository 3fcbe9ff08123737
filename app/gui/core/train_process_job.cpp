#include "app/gui/core/train_process_job.hpp"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <csignal>

#include <unistd.h>

#include "model/train/metrics_reader.hpp"

namespace ssmscope::gui {

namespace {

QString join_ids(const std::vector<std::int64_t>& ids) {
    QStringList parts;
    for (std::int64_t i : ids)
        parts << QString::number(i);
    return parts.join(',');
}

}  // namespace

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

QStringList TrainProcessJob::arguments(const TrainRequest& r) {
    const model::TrainOptions& o = r.options;
    QStringList a;
    if (!r.resume.empty()) {
        a << "train"
          << "--resume" << QString::fromStdString(r.resume);
    } else if (!o.base_checkpoint.empty()) {
        a << "finetune" << QString::fromStdString(o.base_checkpoint) << "--blocks"
          << join_ids(o.blocks) << "--lora-rank" << QString::number(o.lora_rank);
    } else {
        const model::ModelConfig& c = r.config;
        a << "train"
          << "--arch" << QString::fromStdString(model::arch_name(c.arch)) << "--d-model"
          << QString::number(c.d_model) << "--n-layer" << QString::number(c.n_layer) << "--d-state"
          << QString::number(c.d_state) << "--expand" << QString::number(c.expand) << "--headdim"
          << QString::number(c.headdim) << "--ngroups" << QString::number(c.ngroups) << "--d-conv"
          << QString::number(c.d_conv);
    }
    if (r.resume.empty()) {
        a << "--out" << QString::fromStdString(r.out) << "--corpus"
          << QString::fromStdString(o.corpus) << "--batch" << QString::number(o.batch)
          << "--seq-len" << QString::number(o.seq_len) << "--lr" << QString::number(o.lr, 'g', 17)
          << "--device" << QString::fromStdString(o.device) << "--eval-every"
          << QString::number(o.eval_every) << "--stability-every"
          << QString::number(o.stability_every) << "--checkpoint-every"
          << QString::number(o.checkpoint_every) << "--log-every" << QString::number(o.log_every);
    }
    a << "--steps" << QString::number(o.steps) << "--nproc" << QString::number(r.nproc);
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
    process_.start(cli_, arguments(request));
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
