#include "app/gui/plots/token_norm_plot.hpp"

#include <algorithm>
#include <cmath>

namespace ssmscope::gui {

namespace {

QColor color_of(analysis::TokenBehaviour b) {
    switch (b) {
        case analysis::TokenBehaviour::Converging:
            return QColor(0, 114, 178, 140);
        case analysis::TokenBehaviour::Diverging:
            return QColor(213, 94, 0, 160);
        case analysis::TokenBehaviour::Bounded:
            break;
    }
    return QColor(120, 120, 120, 90);
}

}  // namespace

void plot_token_norms(Plot& plot, const analysis::TokenTrajectories& t, int marked_layer,
                      int max_tokens) {
    plot.reset();
    plot.set_log_y(true);
    plot.set_labels("depth l (layer input; last: output)", "‖x_i^l‖");
    const auto tokens = static_cast<int>(t.norms.rows());
    const auto depth = static_cast<int>(t.norms.cols());
    const int shown = std::min(tokens, max_tokens);
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (int k = 0; k < shown; ++k) {
        const int i = shown == tokens ? k : static_cast<int>(static_cast<long>(k) * tokens / shown);
        QVector<double> x, y;
        for (int l = 0; l < depth; ++l) {
            const double v = t.norms(i, l);
            if (v > 0 && std::isfinite(v)) {
                x << l;
                y << v;
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
        const auto b = static_cast<std::size_t>(i) < t.behaviour.size()
                           ? t.behaviour[static_cast<std::size_t>(i)]
                           : analysis::TokenBehaviour::Bounded;
        QCPGraph* g =
            plot.add_graph(QStringLiteral("token %1 (%2)").arg(i).arg(analysis::to_string(b)), x, y,
                           color_of(b), true);
        g->setPen(QPen(color_of(b), 1));
    }
    if (marked_layer >= 0) {
        auto* mark = new QCPItemStraightLine(&plot);
        mark->point1->setCoords(marked_layer, 1);
        mark->point2->setCoords(marked_layer, 2);
        mark->setPen(QPen(QColor(0, 0, 0, 120), 1, Qt::DashLine));
    }
    plot.set_title(QStringLiteral("Token norms across depth: %1 converging, %2 bounded, %3 "
                                  "diverging")
                       .arg(t.converging)
                       .arg(t.bounded)
                       .arg(t.diverging));
    if (hi > 0) {
        plot.xAxis->setRange(-0.2, std::max(depth - 1, 1) + 0.2);
        plot.yAxis->setRange(lo / 1.5, hi * 1.5);
    }
    plot.replot();
}

}  // namespace ssmscope::gui
