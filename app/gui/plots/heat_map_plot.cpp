#include "app/gui/plots/heat_map_plot.hpp"

#include <algorithm>
#include <cmath>

namespace ssmscope::gui {

void plot_heat_map(Plot& plot, const analysis::Matrix& values, const QString& unit_name,
                   const QString& value_name) {
    plot.reset();
    plot.set_log_y(false);
    plot.set_labels(unit_name, "state i");
    for (int i = plot.plotLayout()->elementCount() - 1; i >= 0; --i) {
        if (qobject_cast<QCPColorScale*>(plot.plotLayout()->elementAt(i)))
            plot.plotLayout()->removeAt(i);
    }
    plot.plotLayout()->simplify();
    const auto units = static_cast<int>(values.rows()), n = static_cast<int>(values.cols());
    auto* map = new QCPColorMap(plot.xAxis, plot.yAxis);
    map->setName(value_name);
    map->data()->setSize(std::max(units, 1), std::max(n, 1));
    map->data()->setRange(QCPRange(0, std::max(units - 1, 0)), QCPRange(1, std::max(n, 1)));
    double extent = 0;
    for (int u = 0; u < units; ++u) {
        for (int i = 0; i < n; ++i) {
            const double v = values(u, i);
            map->data()->setCell(u, i, std::isfinite(v) ? v : std::nan(""));
            if (std::isfinite(v))
                extent = std::max(extent, std::abs(v));
        }
    }
    auto* scale = new QCPColorScale(&plot);
    plot.plotLayout()->addElement(1, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->axis()->setLabel(value_name);
    map->setColorScale(scale);
    // Blue for negative (stable), red for positive, white at zero.
    QCPColorGradient g;
    g.setColorStopAt(0, QColor(0, 70, 160));
    g.setColorStopAt(0.5, QColor(250, 250, 250));
    g.setColorStopAt(1, QColor(200, 40, 0));
    g.setNanHandling(QCPColorGradient::nhTransparent);
    map->setGradient(g);
    map->setDataRange(QCPRange(-std::max(extent, 1e-12), std::max(extent, 1e-12)));
    map->setInterpolate(false);
    auto* margins = new QCPMarginGroup(&plot);
    plot.axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    plot.xAxis->setRange(-0.5, units - 0.5);
    plot.yAxis->setRange(0.5, n + 0.5);
    plot.replot();
}

}  // namespace ssmscope::gui
