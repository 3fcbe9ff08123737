#include "app/gui/views/layer_view.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <string>

#include "analysis/frozen_unit.hpp"
#include "analysis/impulse_response.hpp"
#include "app/gui/plots/eigenvalue_plot.hpp"
#include "app/gui/plots/heat_map_plot.hpp"
#include "app/gui/plots/impulse_plot.hpp"
#include "app/gui/plots/plot.hpp"
#include "app/gui/plots/singular_value_plot.hpp"
#include "app/gui/plots/token_norm_plot.hpp"

namespace ssmscope::gui {

namespace {

Plot* make_plot(const QString& title, const char* name) {
    auto* p = new Plot(title);
    p->setObjectName(name);
    return p;
}

QString rank_line(const char* what, const analysis::RankDecision& d) {
    return QStringLiteral(
               "<b>%1</b>: rank %2 of %3 by the staircase (gap %4); SVD rank %5 "
               "(tol %6, gap %7, margin %8 decades); PBH rank %9%10")
        .arg(what)
        .arg(d.rank)
        .arg(d.n)
        .arg(d.staircase.gap, 0, 'g', 3)
        .arg(d.svd.rank)
        .arg(d.svd.tol, 0, 'g', 3)
        .arg(d.svd.gap, 0, 'g', 3)
        .arg(d.svd.margin_decades, 0, 'f', 1)
        .arg(d.pbh.rank)
        .arg(d.disagree ? QStringLiteral(" — <span style='color:#d55e00'>the methods disagree"
                                         "</span>")
                        : QString());
}

}  // namespace

LayerView::LayerView(QWidget* parent) : QWidget(parent) {
    layer_ = new QComboBox;
    layer_->setObjectName("layer_selector");
    unit_ = new QSpinBox;
    unit_->setObjectName("unit_selector");
    unit_label_ = new QLabel(tr("channel"));
    token_ = new QSpinBox;
    token_->setObjectName("token_selector");
    token_slider_ = new QSlider(Qt::Horizontal);
    all_units_ = new QCheckBox(tr("eigenvalues of every unit"));
    all_units_->setObjectName("all_units");
    details_ = new QLabel;
    details_->setObjectName("frozen_details");
    details_->setWordWrap(true);
    details_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    eig_continuous_ = make_plot(tr("Eigenvalues of A"), "eigenvalues");
    eig_discrete_ = make_plot(tr("Eigenvalues of Ā = exp(Δ A)"), "eigenvalues_discrete");
    singular_values_ = make_plot(tr("Singular values of ctrb and obsv"), "singular_values");
    hankel_ = make_plot(tr("Hankel singular values"), "hankel_singular_values");
    lyapunov_ = make_plot(tr("Lyapunov spectrum"), "lyapunov_spectrum");
    heat_map_ = make_plot(tr("Re λ(A): units × states"), "stability_heat_map");
    token_norms_ = make_plot(tr("Token norms across depth"), "token_norms");
    impulse_ = make_plot(tr("Impulse response"), "impulse_response");
    // Their x axes count (singular values, exponents, units, layers): ticks on whole numbers.
    for (Plot* p : {singular_values_, hankel_, lyapunov_, heat_map_, token_norms_, impulse_})
        p->set_integer_x();

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Layer")));
    bar->addWidget(layer_);
    bar->addSpacing(12);
    bar->addWidget(unit_label_);
    bar->addWidget(unit_);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("frozen at token")));
    bar->addWidget(token_);
    bar->addWidget(token_slider_, 1);
    bar->addWidget(all_units_);

    auto* grid = new QGridLayout;
    grid->addWidget(eig_continuous_, 0, 0);
    grid->addWidget(eig_discrete_, 0, 1);
    grid->addWidget(heat_map_, 0, 2);
    grid->addWidget(singular_values_, 1, 0);
    grid->addWidget(hankel_, 1, 1);
    grid->addWidget(lyapunov_, 1, 2);
    grid->addWidget(impulse_, 2, 0);
    grid->addWidget(token_norms_, 2, 1, 1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(details_);
    layout->addLayout(grid, 1);

    connect(layer_, &QComboBox::currentIndexChanged, this, &LayerView::update_layer);
    connect(unit_, &QSpinBox::valueChanged, this, &LayerView::update_unit);
    connect(all_units_, &QCheckBox::toggled, this, &LayerView::update_unit);
    connect(token_, &QSpinBox::valueChanged, token_slider_, &QSlider::setValue);
    connect(token_slider_, &QSlider::valueChanged, token_, &QSpinBox::setValue);
    connect(token_, &QSpinBox::valueChanged, this, &LayerView::update_unit);
    setEnabled(false);
}

QList<Plot*> LayerView::plots() const {
    return {eig_continuous_, eig_discrete_, heat_map_,    singular_values_,
            hankel_,         lyapunov_,     token_norms_, impulse_};
}

void LayerView::set_result(std::shared_ptr<const AnalysisResult> result) {
    // The same result again has gained a layer: stay on the layer, unit and token shown.
    const bool same = result && result == result_;
    const int row = same ? layer_->currentIndex() : 0;
    const int unit = same ? unit_->value() : 0;
    const int token = same ? token_->value() : -1;
    result_ = std::move(result);
    {
        const QSignalBlocker block(layer_);
        layer_->clear();
        if (result_) {
            for (const auto& l : result_->report.layers)
                layer_->addItem(tr("%1 (%2)").arg(l.index).arg(analysis::to_string(l.form)));
        }
    }
    setEnabled(result_ && !result_->report.layers.empty());
    if (isEnabled())
        select(std::max(row, 0), unit, token);
    else
        for (Plot* p : plots()) {
            p->reset();
            p->replot();
        }
}

void LayerView::select(int layer_row, int unit, int token) {
    if (!result_ || layer_row < 0 || layer_row >= layer_->count())
        return;
    {
        const QSignalBlocker a(layer_), b(unit_), c(token_);
        layer_->setCurrentIndex(layer_row);
    }
    update_layer();
    {
        const QSignalBlocker b(unit_), c(token_);
        unit_->setValue(unit);
        token_->setValue(token < 0 ? token_->maximum() : token);
        token_slider_->setValue(token_->value());
    }
    update_unit();
}

void LayerView::update_layer() {
    const int row = layer_->currentIndex();
    if (!result_ || row < 0)
        return;
    const analysis::LayerReport& l = result_->report.layers[static_cast<std::size_t>(row)];
    const analysis::SelectiveLayer& s = result_->trace.layers[static_cast<std::size_t>(row)];
    {
        const QSignalBlocker b(unit_), c(token_), d(token_slider_);
        unit_label_->setText(QString::fromStdString(l.unit_name));
        unit_->setRange(0, static_cast<int>(l.units) - 1);
        token_->setRange(0, static_cast<int>(l.tokens) - 1);
        token_slider_->setRange(0, static_cast<int>(l.tokens) - 1);
        if (token_->value() == 0)
            token_->setValue(token_->maximum());
        token_slider_->setValue(token_->value());
    }
    analysis::Matrix re(l.units, l.n);
    for (analysis::Index u = 0; u < l.units; ++u) {
        const auto& ev = l.stability.eigenvalues[static_cast<std::size_t>(u)];
        for (analysis::Index i = 0; i < l.n; ++i)
            re(u, i) = i < static_cast<analysis::Index>(ev.size())
                           ? ev[static_cast<std::size_t>(i)].real()
                           : std::nan("");
    }
    plot_heat_map(*heat_map_, re, QString::fromStdString(s.unit_name), "Re λ");
    heat_map_->set_title(tr("Re λ_i(A) per %1: %2 of %3 unstable")
                             .arg(QString::fromStdString(l.unit_name))
                             .arg(l.stability.unstable_continuous)
                             .arg(l.units));
    plot_token_norms(*token_norms_, result_->report.trajectories, l.index);
    update_unit();
}

void LayerView::update_unit() {
    const int row = layer_->currentIndex();
    if (!result_ || row < 0)
        return;
    const analysis::LayerReport& l = result_->report.layers[static_cast<std::size_t>(row)];
    const analysis::SelectiveLayer& s = result_->trace.layers[static_cast<std::size_t>(row)];
    const int u = unit_->value(), t = token_->value();
    const QString unit_name = QString::fromStdString(l.unit_name);
    analysis::FrozenUnit f;
    try {
        f = analysis::frozen_unit(s, u, t, result_->report.tol);
    } catch (const std::exception& e) {
        details_->setText(QString::fromStdString(e.what()).toHtmlEscaped());
        return;
    }

    std::vector<EigenvalueSet> cont;
    if (all_units_->isChecked()) {
        EigenvalueSet all{tr("every %1").arg(unit_name), {}};
        for (const auto& ev : l.stability.eigenvalues)
            all.values.insert(all.values.end(), ev.begin(), ev.end());
        cont.push_back(std::move(all));
    } else {
        cont.push_back({tr("%1 %2").arg(unit_name).arg(u), f.continuous.spectrum.eigenvalues});
    }
    plot_eigenvalues(*eig_continuous_, cont, false);
    eig_continuous_->set_title(tr("λ(A), %1: max Re λ = %2")
                                   .arg(cont.front().name)
                                   .arg(f.continuous.spectrum.spectral_abscissa, 0, 'g', 5));
    if (f.discrete) {
        plot_eigenvalues(
            *eig_discrete_,
            {{tr("Δ_t = %1").arg(f.delta, 0, 'g', 4), f.discrete->spectrum.eigenvalues}}, true);
        eig_discrete_->set_title(tr("λ(Ā = exp(Δ_t A)), token %1: ρ = %2")
                                     .arg(t)
                                     .arg(f.discrete->spectrum.spectral_radius, 0, 'g', 6));
    } else {
        plot_eigenvalues(*eig_discrete_, {}, true);
        eig_discrete_->set_title(tr("Δ_t = 0 at token %1: no step, Ā = I").arg(t));
    }

    plot_singular_values(*singular_values_,
                         {{tr("ctrb(A, b_t)"), f.continuous.ctrb->svd.singular_values,
                           f.continuous.ctrb->svd.threshold},
                          {tr("obsv(A, c_t)"), f.continuous.obsv->svd.singular_values,
                           f.continuous.obsv->svd.threshold}});
    singular_values_->set_title(tr("σ of ctrb, obsv (dashed: SVD tol)"));

    std::vector<SingularValueSet> hsv;
    QStringList undefined;
    if (f.continuous.hsv)
        hsv.push_back({tr("continuous"), *f.continuous.hsv, 0});
    else
        undefined << tr("continuous: %1")
                         .arg(QString::fromStdString(f.continuous.gram_c.undefined_reason));
    if (f.discrete && f.discrete->hsv)
        hsv.push_back({tr("sampled at Δ_t"), *f.discrete->hsv, 0});
    else if (f.discrete)
        undefined
            << tr("sampled: %1").arg(QString::fromStdString(f.discrete->gram_c.undefined_reason));
    plot_singular_values(*hankel_, hsv);
    hankel_->set_title(
        undefined.isEmpty()
            ? tr("Hankel singular values (order %1)").arg(f.continuous.minimal_order.value_or(0))
            : tr("Hankel singular values: undefined"));

    lyapunov_->reset();
    lyapunov_->set_log_y(false);
    lyapunov_->set_labels(tr("index i"), tr("λ_i per token"));
    const analysis::Vector& exps = l.lyapunov.unit_exponents[static_cast<std::size_t>(u)];
    QVector<double> ix, iy;
    for (analysis::Index i = 0; i < exps.size(); ++i) {
        ix << static_cast<double>(i + 1);
        iy << exps[i];
    }
    lyapunov_->add_graph(tr("%1 %2").arg(unit_name).arg(u), ix, iy, Plot::palette(0), true)
        ->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
    // Companion units: the exact limit mean(Δ) Re λ_i beside the probe's finite-horizon estimate
    // (for the diagonal forms the two are one and the same).
    const bool estimated = std::string(l.lyapunov.method) == "qr";
    if (estimated) {
        const analysis::Vector& lim = l.lyapunov.unit_limits[static_cast<std::size_t>(u)];
        QVector<double> ly;
        for (analysis::Index i = 0; i < lim.size(); ++i)
            ly << lim[i];
        lyapunov_->add_graph(tr("limit mean(Δ) Re λ_i"), ix, ly, Plot::palette(1), false)
            ->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, Plot::palette(1), 6));
        lyapunov_->legend->setVisible(true);
    } else {
        lyapunov_->legend->setVisible(false);
    }
    lyapunov_->set_title(tr("Lyapunov spectrum, %1 %2").arg(unit_name).arg(u));
    lyapunov_->setToolTip(
        tr("method %1; the layer's largest exponent is %2 per token over the probe%3")
            .arg(l.lyapunov.method)
            .arg(l.lyapunov.largest, 0, 'g', 4)
            .arg(estimated ? tr(", its limit mean(Δ) max Re λ is %1; %2 %3s grow only "
                                "transiently")
                                 .arg(l.lyapunov.largest_limit, 0, 'g', 4)
                                 .arg(l.lyapunov.transient_units)
                                 .arg(unit_name)
                           : QString()));
    lyapunov_->rescaleAxes();
    lyapunov_->xAxis->setRange(0.5, std::max<double>(static_cast<double>(exps.size()), 1) + 0.5);
    const QCPRange yr = lyapunov_->yAxis->range();
    lyapunov_->yAxis->setRange(yr.lower - 0.1 * std::max(yr.size(), 1e-3),
                               yr.upper + 0.1 * std::max(yr.size(), 1e-3));
    lyapunov_->replot();

    // The kernel of this unit at this token (the report's impulse_response is for one unit at
    // one token; the view follows the selection). Its options are the report's.
    analysis::ImpulseOptions impulse_options;
    if (l.memory.tol > 0)
        impulse_options.tol = l.memory.tol;
    plot_impulse_response(*impulse_, analysis::impulse_response(s, u, t, impulse_options),
                          impulse_options.tol);

    details_->setText(
        tr("%1 %2 frozen at token %3 (id %4), Δ_t = %5, %6 input: %7 — %8.<br>%9<br>%10")
            .arg(unit_name)
            .arg(u)
            .arg(t)
            .arg(static_cast<std::size_t>(t) < result_->report.tokens.size()
                     ? QString::number(result_->report.tokens[static_cast<std::size_t>(t)])
                     : tr("known when the analysis ends"))
            .arg(f.delta, 0, 'g', 5)
            .arg(l.exact_zoh ? tr("exact zero-order-hold") : tr("Euler"))
            .arg(analysis::to_string(f.continuous.spectrum.stability))
            .arg(f.discrete ? tr("Ā %1").arg(analysis::to_string(f.discrete->spectrum.stability))
                            : tr("no step"))
            .arg(rank_line("controllability (A, b_t)", *f.continuous.ctrb))
            .arg(rank_line("observability (A, c_t)", *f.continuous.obsv)) +
        (undefined.isEmpty()
             ? QString()
             : tr("<br><b>Gramians</b> undefined — %1").arg(undefined.join("; ").toHtmlEscaped())));
}

}  // namespace ssmscope::gui
