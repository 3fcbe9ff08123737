#include "app/gui/plots/impulse_plot.hpp"

#include <algorithm>
#include <cmath>

namespace ssmscope::gui {

void plot_impulse_response(Plot& plot, const analysis::ImpulseResponse& r, double tol) {
    plot.reset();
    plot.set_log_y(true);
    plot.set_labels(QObject::tr("lag k (tokens)"), QObject::tr("|K_k| = |c Āᵏ B̄|"));
    QVector<double> x, y;
    double peak = 0, lo = 0;
    for (analysis::Index k = 0; k < r.kernel.size(); ++k) {
        const double v = std::abs(r.kernel[k]);
        peak = std::max(peak, v);
        if (!(v > 0) || !std::isfinite(v))
            continue;  // a zero has no place on a log axis
        x << static_cast<double>(k);
        y << v;
        lo = lo > 0 ? std::min(lo, v) : v;
    }
    plot.add_graph(QObject::tr("unit %1, token %2").arg(r.unit).arg(r.token), x, y,
                   Plot::palette(0), true);
    if (peak > 0) {
        auto* cut = new QCPItemStraightLine(&plot);
        cut->point1->setCoords(0, tol * peak);
        cut->point2->setCoords(1, tol * peak);
        cut->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashLine));
        lo = std::min(lo, tol * peak);
    }
    if (r.horizon) {
        auto* line = new QCPItemStraightLine(&plot);
        line->point1->setCoords(static_cast<double>(*r.horizon), 1);
        line->point2->setCoords(static_cast<double>(*r.horizon), 2);
        line->setPen(QPen(Plot::palette(1), 1.5, Qt::DashLine));
    }
    plot.set_title(r.horizon
                       ? QObject::tr("Impulse response: memory horizon %1 tokens").arg(*r.horizon)
                       : QObject::tr("Impulse response: no horizon"));
    plot.setToolTip(r.horizon
                        ? QObject::tr("|K_k| stays below %1 of its peak from lag %2 on; decay rate "
                                      "-log ρ(Ā) = %3 per token")
                              .arg(tol)
                              .arg(*r.horizon)
                              .arg(r.decay_rate, 0, 'g', 4)
                        : QString::fromStdString(r.undefined_reason));
    if (peak > 0) {
        plot.yAxis->setRange(lo / 3, peak * 3);
        const double end = r.horizon
                               ? std::max<double>(*r.horizon * 1.2, static_cast<double>(x.size()))
                               : static_cast<double>(r.kernel.size());
        plot.xAxis->setRange(-0.5, std::max(end, 1.0) + 0.5);
    }
    plot.replot();
}

}  // namespace ssmscope::gui
