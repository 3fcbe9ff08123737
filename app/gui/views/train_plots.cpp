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
    abs_a_ = new Plot(tr("min |A| per layer (warning below 1e-4)"));
    abs_a_->setObjectName("train_min_abs_a");
    abs_a_->set_log_y(true);
    abar_ = new Plot(tr("max ā = max exp(Δ·A) per layer (warning above 1 − 1e-4)"));
    abar_->setObjectName("train_max_abar");
    delta_ = new Plot(tr("Δ range per layer (min dashed, max solid)"));
    delta_->setObjectName("train_delta_range");
    delta_->set_log_y(true);
    state_ = new Plot(tr("Largest state norm per layer"));
    state_->setObjectName("train_state_norm");
    state_->set_log_y(true);
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(loss_, 0, 0);
    grid->addWidget(perplexity_, 0, 1);
    grid->addWidget(abscissa_, 1, 0);
    grid->addWidget(lyapunov_, 1, 1);
    grid->addWidget(abs_a_, 2, 0);
    grid->addWidget(abar_, 2, 1);
    grid->addWidget(delta_, 3, 0);
    grid->addWidget(state_, 3, 1);
    clear();
}

QList<Plot*> TrainPlots::plots() const {
    return {loss_, perplexity_, abscissa_, lyapunov_, abs_a_, abar_, delta_, state_};
}

namespace {

// Graph `index` of a per-layer plot, adding the graphs up to it; `per_layer` graphs a layer.
QCPGraph* layer_graph(Plot* p, int index, int per_layer) {
    while (p->graphCount() <= index) {
        const int k = p->graphCount();
        const int layer = k / per_layer;
        const bool low = per_layer == 2 && k % 2 == 0;
        QCPGraph* g = p->add_graph(
            per_layer == 1 ? QObject::tr("layer %1").arg(layer)
                           : QObject::tr("layer %1 %2").arg(layer).arg(low ? "min" : "max"),
            {}, {}, Plot::palette(layer), true);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
        if (low) {
            QPen pen = g->pen();
            pen.setStyle(Qt::DashLine);
            g->setPen(pen);
        }
    }
    return p->graph(index);
}

}  // namespace

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
    abs_a_->set_labels(tr("step"), tr("min |λ(A)|"));
    abar_->set_labels(tr("step"), tr("max ρ(exp(Δ A))"));
    delta_->set_labels(tr("step"), tr("Δ"));
    state_->set_labels(tr("step"), tr("max ||h_t|| of a unit"));
    for (Plot* p : {loss_, perplexity_}) {
        p->legend->setVisible(true);
        p->replot();
    }
    for (Plot* p : {abscissa_, lyapunov_, abs_a_, abar_, delta_, state_})
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
            const auto& s = layers[l];
            const int i = static_cast<int>(l);
            layer_graph(abscissa_, i, 1)->addData(x, s.spectral_abscissa);
            layer_graph(lyapunov_, i, 1)->addData(x, s.largest_lyapunov);
            layer_graph(abs_a_, i, 1)->addData(x, s.min_abs_a);
            layer_graph(abar_, i, 1)->addData(x, s.max_abar);
            layer_graph(delta_, 2 * i, 2)->addData(x, s.delta_min);
            layer_graph(delta_, 2 * i + 1, 2)->addData(x, s.delta_max);
            layer_graph(state_, i, 1)->addData(x, s.max_state_norm);
        }
        for (Plot* p : {abscissa_, lyapunov_, abs_a_, abar_, state_})
            p->legend->setVisible(p->graphCount() > 1);
        delta_->legend->setVisible(delta_->graphCount() > 2);
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
