#include "app/gui/plots/singular_value_plot.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ssmscope::gui {

void plot_singular_values(Plot& plot, const std::vector<SingularValueSet>& sets) {
    plot.reset();
    plot.set_log_y(true);
    plot.set_labels("index i", "σ_i");
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    int count = 1;
    for (std::size_t s = 0; s < sets.size(); ++s) {
        const QColor color = Plot::palette(static_cast<int>(s));
        QVector<double> x, y;
        for (analysis::Index i = 0; i < sets[s].values.size(); ++i) {
            const double v = sets[s].values[i];
            if (!(v > 0) || !std::isfinite(v))
                continue;  // a zero has no place on a log axis
            x << static_cast<double>(i + 1);
            y << v;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        count = std::max(count, static_cast<int>(sets[s].values.size()));
        QCPGraph* g = plot.add_graph(sets[s].name, x, y, color, true);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, 6));
        if (sets[s].threshold > 0) {
            auto* cut = new QCPItemStraightLine(&plot);
            cut->point1->setCoords(0, sets[s].threshold);
            cut->point2->setCoords(1, sets[s].threshold);
            cut->setPen(QPen(color, 1, Qt::DashLine));
            lo = std::min(lo, sets[s].threshold);
            hi = std::max(hi, sets[s].threshold);
        }
    }
    plot.legend->setVisible(!sets.empty());
    if (hi > 0) {
        plot.yAxis->setRange(lo / 3, hi * 3);
        plot.xAxis->setRange(0.5, count + 0.5);
    }
    plot.replot();
}

}  // namespace ssmscope::gui
