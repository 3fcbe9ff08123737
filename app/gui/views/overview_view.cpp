#include "app/gui/views/overview_view.hpp"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <string>

#include "app/gui/models/layer_table_model.hpp"
#include "app/gui/plots/plot.hpp"

namespace ssmscope::gui {

OverviewView::OverviewView(QWidget* parent) : QWidget(parent) {
    model_ = new LayerTableModel(this);
    table_ = new QTableView;
    table_->setObjectName("layer_table");
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->setAlternatingRowColors(true);
    connect(table_, &QTableView::activated, this,
            [this](const QModelIndex& i) { emit layer_activated(i.row()); });

    summary_ = new QTableWidget(0, 2);
    summary_->setObjectName("model_summary");
    summary_->horizontalHeader()->hide();
    summary_->verticalHeader()->hide();
    summary_->horizontalHeader()->setStretchLastSection(true);
    summary_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    summary_->setMaximumWidth(340);

    headline_ = new QLabel(tr("Open a checkpoint (File ▸ Open, or drop its folder here)."));
    headline_->setObjectName("headline");
    headline_->setWordWrap(true);
    headline_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    stability_ = new Plot(tr("Stability margin per layer"));
    stability_->setObjectName("overview_stability");
    ranks_ = new Plot(tr("Full-rank fraction of the frozen systems"));
    ranks_->setObjectName("overview_ranks");
    lyapunov_ = new Plot(tr("Largest Lyapunov exponent per layer"));
    lyapunov_->setObjectName("overview_lyapunov");
    sensitivity_ = new Plot(tr("Sensitivity to input rounding"));
    sensitivity_->setObjectName("overview_sensitivity");

    // Layers are whole numbers: no ticks between them.
    for (Plot* p : {stability_, ranks_, lyapunov_, sensitivity_})
        p->set_integer_x();

    auto* plots = new QWidget;
    auto* grid = new QGridLayout(plots);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(stability_, 0, 0);
    grid->addWidget(ranks_, 0, 1);
    grid->addWidget(lyapunov_, 1, 0);
    grid->addWidget(sensitivity_, 1, 1);

    auto* top = new QSplitter(Qt::Horizontal);
    top->addWidget(summary_);
    top->addWidget(table_);
    top->setStretchFactor(1, 1);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(top);
    split->addWidget(plots);
    split->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(headline_);
    layout->addWidget(split, 1);
}

QList<Plot*> OverviewView::plots() const {
    return {stability_, ranks_, lyapunov_, sensitivity_};
}

void OverviewView::set_result(std::shared_ptr<const AnalysisResult> result) {
    // The same result again has gained a layer: keep the selection and the summary.
    const bool same = result && result == model_->result();
    const int selected = same ? table_->currentIndex().row() : 0;
    model_->set_result(result);
    // Each plot is drawn once, at the end: a layer arriving must cost the GUI thread little.
    for (Plot* p : plots())
        p->reset();
    if (!result) {
        summary_->setRowCount(0);
        for (Plot* p : plots())
            p->replot();
        headline_->setText(tr("Open a checkpoint (File ▸ Open, or drop its folder here)."));
        return;
    }
    if (!same) {  // the summary does not change while layers arrive
        summary_->setRowCount(0);
        for (const auto& [label, value] : result->summary.rows) {
            const int r = summary_->rowCount();
            summary_->insertRow(r);
            summary_->setItem(r, 0, new QTableWidgetItem(QString::fromStdString(label)));
            summary_->setItem(r, 1, new QTableWidgetItem(QString::fromStdString(value)));
        }
        summary_->resizeColumnToContents(0);
    }
    const auto& rep = result->report;
    const QString model =
        tr("<b>%1</b> — %2, %3 layers, %4 parameters; probe: %5")
            .arg(QString::fromStdString(result->request.checkpoint).toHtmlEscaped(),
                 QString::fromStdString(result->checkpoint.architecture))
            .arg(result->checkpoint.n_layer)
            .arg(result->checkpoint.parameters)
            .arg(QString::fromStdString(result->request.probe_source).toHtmlEscaped());
    const auto asked = static_cast<std::size_t>(
        result->layers.empty() ? result->checkpoint.n_layer
                               : static_cast<std::int64_t>(result->layers.size()));
    if (result->complete)
        headline_->setText(tr("%1 (%2 tokens); analysed in %3 s")
                               .arg(model)
                               .arg(rep.tokens.size())
                               .arg(result->seconds, 0, 'f', 2));
    else
        headline_->setText(
            tr("%1; %2 of %3 layers analysed").arg(model).arg(rep.layers.size()).arg(asked));

    QVector<double> x, abscissa, radius_margin, ctrb, obsv, reach, lyap, limit_x, limit;
    for (const auto& l : rep.layers) {
        x << l.index;
        abscissa << l.stability.worst_abscissa;
        // log ρ(Ā) is the discrete-time counterpart of Re λ: negative when every step contracts.
        radius_margin << std::log(l.stability.worst_radius);
        ctrb << l.ranks.ctrb.fraction_full;
        obsv << l.ranks.obsv.fraction_full;
        reach << l.reachable.fraction_full;
        lyap << l.lyapunov.largest;
        // The diagonal forms' exponents are their limits; companion units have an estimate.
        if (std::string(l.lyapunov.method) == "qr") {
            limit_x << l.index;
            limit << l.lyapunov.largest_limit;
        }
    }
    stability_->set_labels(tr("layer"), tr("worst unit"));
    stability_->add_graph(tr("max Re λ(A)"), x, abscissa, Plot::palette(0), true)
        ->setScatterStyle(QCPScatterStyle::ssDisc);
    stability_
        ->add_graph(tr("log max ρ(Ā) over the observed Δ"), x, radius_margin, Plot::palette(1),
                    true)
        ->setScatterStyle(QCPScatterStyle::ssSquare);
    auto* zero = new QCPItemStraightLine(stability_);
    zero->point1->setCoords(0, 0);
    zero->point2->setCoords(1, 0);
    zero->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashLine));
    ranks_->set_labels(tr("layer"), tr("fraction"));
    ranks_->add_graph(tr("ctrb full rank"), x, ctrb, Plot::palette(0), true)
        ->setScatterStyle(QCPScatterStyle::ssDisc);
    ranks_->add_graph(tr("obsv full rank"), x, obsv, Plot::palette(1), true)
        ->setScatterStyle(QCPScatterStyle::ssSquare);
    ranks_->add_graph(tr("reachable over the probe"), x, reach, Plot::palette(2), true)
        ->setScatterStyle(QCPScatterStyle::ssTriangle);
    lyapunov_->set_labels(tr("layer"), tr("λ_max per token"));
    lyapunov_->add_graph(tr("largest Lyapunov exponent"), x, lyap, Plot::palette(0), true)
        ->setScatterStyle(QCPScatterStyle::ssDisc);
    if (!limit.isEmpty()) {
        lyapunov_
            ->add_graph(tr("its limit mean(Δ) max Re λ"), limit_x, limit, Plot::palette(1), true)
            ->setScatterStyle(QCPScatterStyle::ssSquare);
    }
    sensitivity_->set_labels(tr("layer"), tr("log(‖δ out‖ / ‖δ in‖)"));
    for (std::size_t k = 0; k < rep.sensitivity.size(); ++k) {
        const auto& sens = rep.sensitivity[k];
        QVector<double> lx, ly;
        for (std::size_t l = 0; l < sens.layer_log_gain.size(); ++l) {
            lx << static_cast<double>(l);
            ly << sens.layer_log_gain[l];
        }
        sensitivity_
            ->add_graph(QString::fromStdString(sens.name) + tr(" rounding"), lx, ly,
                        Plot::palette(static_cast<int>(k)), true)
            ->setScatterStyle(QCPScatterStyle::ssDisc);
    }
    for (Plot* p : plots()) {
        p->legend->setVisible(p->graphCount() > 1);
        p->rescaleAxes();
        // Room around single points and flat lines.
        p->xAxis->setRange(p->xAxis->range().lower - 0.5, p->xAxis->range().upper + 0.5);
        const QCPRange y = p->yAxis->range();
        const double pad = std::max(0.1 * y.size(), 0.05 * std::max(std::abs(y.upper), 1e-3));
        p->yAxis->setRange(y.lower - pad, y.upper + pad);
        if (p == ranks_)
            p->yAxis->setRange(-0.05, 1.05);  // fractions
        p->replot();
    }
    if (model_->rowCount() > 0)
        table_->selectRow(std::clamp(selected, 0, model_->rowCount() - 1));
}

}  // namespace ssmscope::gui
