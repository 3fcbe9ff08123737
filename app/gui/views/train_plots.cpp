#include "app/gui/views/train_plots.hpp"

#include <QGridLayout>

#include "app/gui/plots/plot.hpp"

namespace ssmscope::gui {

TrainPlots::TrainPlots(QWidget* parent) : QWidget(parent) {
    loss_ = new Plot(tr("Loss (nats per token)"));
    loss_->setObjectName("train_loss");
    perplexity_ = new Plot(tr("Perplexity"));
    perplexity_->setObjectName("train_perplexity");
    perplexity_->set_log_y(true);
    abscissa_ = new Plot(tr("Spectral abscissa max Re λ(A) per layer"));
    abscissa_->setObjectName("train_abscissa");
    lyapunov_ = new Plot(tr("Largest Lyapunov exponent per layer"));
    lyapunov_->setObjectName("train_lyapunov");
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(loss_, 0, 0);
    grid->addWidget(perplexity_, 0, 1);
    grid->addWidget(abscissa_, 1, 0);
    grid->addWidget(lyapunov_, 1, 1);
    clear();
}

QList<Plot*> TrainPlots::plots() const {
    return {loss_, perplexity_, abscissa_, lyapunov_};
}

void TrainPlots::clear() {
    for (Plot* p : plots())
        p->reset();
    loss_->set_labels(tr("step"), tr("nats per token"));
    loss_->add_graph(tr("training"), {}, {}, Plot::palette(0), true);
    loss_->add_graph(tr("validation"), {}, {}, Plot::palette(1), true)
        ->setScatterStyle(QCPScatterStyle::ssDisc);
    perplexity_->set_labels(tr("step"), tr("perplexity"));
    perplexity_->add_graph(tr("training"), {}, {}, Plot::palette(0), true);
    perplexity_->add_graph(tr("validation"), {}, {}, Plot::palette(1), true)
        ->setScatterStyle(QCPScatterStyle::ssDisc);
    abscissa_->set_labels(tr("step"), tr("max Re λ(A)"));
    lyapunov_->set_labels(tr("step"), tr("λ_max per token"));
    for (Plot* p : {loss_, perplexity_}) {
        p->legend->setVisible(true);
        p->replot();
    }
    for (Plot* p : {abscissa_, lyapunov_})
        p->replot();
}

bool TrainPlots::add_step(const model::StepEvent& e) {
    QCPGraph* train_loss = loss_->graph(0);
    if (train_loss->dataCount() > 0 &&
        train_loss->data()->at(train_loss->dataCount() - 1)->key >= static_cast<double>(e.step))
        return false;
    const auto x = static_cast<double>(e.step);
    train_loss->addData(x, e.loss);
    perplexity_->graph(0)->addData(x, e.perplexity);
    if (e.stability) {
        const auto& layers = e.stability->layers;
        for (std::size_t l = 0; l < layers.size(); ++l) {
            for (Plot* p : {abscissa_, lyapunov_}) {
                while (p->graphCount() <= static_cast<int>(l)) {
                    const int k = p->graphCount();
                    p->add_graph(tr("layer %1").arg(k), {}, {}, Plot::palette(k), true)
                        ->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
                }
            }
            abscissa_->graph(static_cast<int>(l))->addData(x, layers[l].spectral_abscissa);
            lyapunov_->graph(static_cast<int>(l))->addData(x, layers[l].largest_lyapunov);
        }
        for (Plot* p : {abscissa_, lyapunov_})
            p->legend->setVisible(p->graphCount() > 1);
    }
    for (Plot* p : plots()) {
        p->rescaleAxes();
        p->replot(QCustomPlot::rpQueuedReplot);  // one repaint per event-loop pass
    }
    return true;
}

void TrainPlots::add_eval(const model::EvalEvent& e) {
    loss_->graph(1)->addData(static_cast<double>(e.step), e.loss);
    perplexity_->graph(1)->addData(static_cast<double>(e.step), e.perplexity);
    for (Plot* p : {loss_, perplexity_}) {
        p->rescaleAxes();
        p->replot(QCustomPlot::rpQueuedReplot);
    }
}

}  // namespace ssmscope::gui
