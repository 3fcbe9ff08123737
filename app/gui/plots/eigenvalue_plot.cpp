#include "app/gui/plots/eigenvalue_plot.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ssmscope::gui {

void plot_eigenvalues(Plot& plot, const std::vector<EigenvalueSet>& sets, bool discrete) {
    plot.reset();
    plot.set_log_y(false);
    plot.set_labels("Re λ", "Im λ");
    double re_lo = discrete ? -1.1 : 0, re_hi = discrete ? 1.1 : 0;
    double im = discrete ? 1.1 : 0;
    for (std::size_t s = 0; s < sets.size(); ++s) {
        QVector<double> x, y;
        for (const auto& z : sets[s].values) {
            if (!std::isfinite(z.real()) || !std::isfinite(z.imag()))
                continue;
            x << z.real();
            y << z.imag();
            re_lo = std::min(re_lo, z.real());
            re_hi = std::max(re_hi, z.real());
            im = std::max(im, std::abs(z.imag()));
        }
        plot.add_graph(sets[s].name, x, y, Plot::palette(static_cast<int>(s)), false);
    }
    const double pad = 0.08 * std::max({re_hi - re_lo, 2 * im, 1e-12});
    if (discrete) {
        // The unit circle |z| = 1, the boundary of discrete-time stability.
        auto* circle = new QCPCurve(plot.xAxis, plot.yAxis);
        circle->setName("unit circle");
        circle->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashLine));
        QVector<double> t, cx, cy;
        for (int k = 0; k <= 180; ++k) {
            const double a = 2 * std::numbers::pi * k / 180;
            t << k;
            cx << std::cos(a);
            cy << std::sin(a);
        }
        circle->setData(t, cx, cy);
        circle->setSelectable(QCP::stNone);
    } else {
        // The closed right half-plane, where continuous-time stability is lost.
        auto* rect = new QCPItemRect(&plot);
        rect->topLeft->setCoords(0, im + 10 * pad + 1);
        rect->bottomRight->setCoords(re_hi + 10 * pad + 1, -(im + 10 * pad + 1));
        rect->setPen(Qt::NoPen);
        rect->setBrush(QColor(213, 94, 0, 30));
        rect->setClipToAxisRect(true);
        auto* axis = new QCPItemStraightLine(&plot);
        axis->point1->setCoords(0, 0);
        axis->point2->setCoords(0, 1);
        axis->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashLine));
    }
    plot.legend->setVisible(sets.size() > 1);
    plot.xAxis->setRange(re_lo - pad, std::max(re_hi, discrete ? 1.1 : 0.0) + pad);
    plot.yAxis->setRange(-im - pad, im + pad);
    // The unit circle must look like one: equal scales on both axes.
    plot.set_equal_aspect(discrete);
    plot.replot();
}

}  // namespace ssmscope::gui
