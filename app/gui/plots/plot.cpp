#include "app/gui/plots/plot.hpp"

#include <QContextMenuEvent>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>
#include <QToolTip>
#include <cmath>
#include <limits>

#include "app/gui/plots/save_plot.hpp"

namespace ssmscope::gui {

Plot::Plot(const QString& title, QWidget* parent) : QCustomPlot(parent) {
    setMinimumSize(280, 200);
    setAntialiasedElements(QCP::aeAll);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plotLayout()->insertRow(0);
    title_ = new QCPTextElement(this, title,
                                QFont(font().family(), font().pointSize() + 1, QFont::Bold));
    plotLayout()->addElement(0, 0, title_);
    legend->setVisible(false);
    legend->setFont(QFont(font().family(), font().pointSize() - 1));
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    setMouseTracking(true);
    setObjectName(title);
}

void Plot::set_title(const QString& title) {
    title_->setText(title);
}

QString Plot::title() const {
    return title_->text();
}

void Plot::set_labels(const QString& x, const QString& y) {
    xAxis->setLabel(x);
    yAxis->setLabel(y);
}

void Plot::set_log_y(bool log) {
    if (log) {
        yAxis->setScaleType(QCPAxis::stLogarithmic);
        yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        yAxis->setNumberFormat("eb");
        yAxis->setNumberPrecision(0);
    } else {
        yAxis->setScaleType(QCPAxis::stLinear);
        yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        yAxis->setNumberFormat("g");
        yAxis->setNumberPrecision(6);
    }
}

void Plot::set_integer_x() {
    auto ticker = QSharedPointer<QCPAxisTickerFixed>(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    xAxis->setTicker(ticker);
    xAxis->setNumberFormat("f");
    xAxis->setNumberPrecision(0);
}

void Plot::set_equal_aspect(bool on) {
    equal_aspect_ = on;
    rescale_equal();
}

void Plot::rescale_equal() {
    if (!equal_aspect_)
        return;
    // The axis rect's size is that of the last layout: lay out first.
    plotLayout()->update(QCPLayoutElement::upLayout);
    const QRect r = axisRect()->rect();
    if (r.width() <= 0 || r.height() <= 0)
        return;
    const double x_per_px = xAxis->range().size() / r.width();
    const double y_per_px = yAxis->range().size() / r.height();
    // Widen, never narrow, so that everything shown stays shown.
    if (x_per_px > y_per_px)
        yAxis->setScaleRatio(xAxis, 1.0);
    else
        xAxis->setScaleRatio(yAxis, 1.0);
}

void Plot::resizeEvent(QResizeEvent* event) {
    QCustomPlot::resizeEvent(event);
    if (equal_aspect_) {
        rescale_equal();
        replot(QCustomPlot::rpQueuedReplot);
    }
}

void Plot::reset() {
    clearPlottables();
    clearItems();
}

QColor Plot::palette(int i) {
    // Colour-blind-safe (Okabe–Ito), then repeated.
    static const QColor colors[] = {
        QColor(0, 114, 178), QColor(213, 94, 0),   QColor(0, 158, 115),   QColor(204, 121, 167),
        QColor(230, 159, 0), QColor(86, 180, 233), QColor(120, 120, 120), QColor(240, 228, 66)};
    return colors[static_cast<std::size_t>(i) % std::size(colors)];
}

QCPGraph* Plot::add_graph(const QString& name, const QVector<double>& x, const QVector<double>& y,
                          const QColor& color, bool line) {
    QCPGraph* g = addGraph();
    g->setName(name);
    g->setData(x, y);
    g->setPen(QPen(color, line ? 1.5 : 1.0));
    if (!line) {
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, 6));
    }
    return g;
}

int Plot::point_count() const {
    int n = 0;
    auto* self = const_cast<Plot*>(this);  // QCustomPlot's accessors are not const
    for (int i = 0; i < self->plottableCount(); ++i) {
        if (auto* g = qobject_cast<QCPGraph*>(self->plottable(i)))
            n += g->dataCount();
    }
    return n;
}

void Plot::mouseMoveEvent(QMouseEvent* event) {
    QCustomPlot::mouseMoveEvent(event);
    // The nearest data point within 8 pixels, over every plottable.
    const QPointF pos = event->position();
    double best = 64;
    const QCPAbstractPlottable* hit = nullptr;
    int index = -1;
    double hx = 0, hy = 0;
    for (int i = 0; i < plottableCount(); ++i) {
        QCPAbstractPlottable* p = plottable(i);
        auto* g = qobject_cast<QCPGraph*>(p);
        if (!g || !g->visible())
            continue;
        for (int k = 0; k < g->dataCount(); ++k) {
            const auto it = g->data()->at(k);
            const QPointF px = g->coordsToPixels(it->key, it->value);
            const double d2 = std::pow(px.x() - pos.x(), 2) + std::pow(px.y() - pos.y(), 2);
            if (d2 < best) {
                best = d2;
                hit = p;
                index = k;
                hx = it->key;
                hy = it->value;
            }
        }
    }
    if (!hit) {
        // A heat map: the cell under the mouse.
        for (int i = 0; i < plottableCount(); ++i) {
            auto* map = qobject_cast<QCPColorMap*>(plottable(i));
            if (!map)
                continue;
            const double key = xAxis->pixelToCoord(pos.x()), value = yAxis->pixelToCoord(pos.y());
            int kx = 0, ky = 0;
            map->data()->coordToCell(key, value, &kx, &ky);
            if (kx < 0 || ky < 0 || kx >= map->data()->keySize() ||
                ky >= map->data()->valueSize() ||
                !map->data()->keyRange().contains(std::round(key)))
                break;
            QToolTip::showText(event->globalPosition().toPoint(),
                               QStringLiteral("%1 %2, state %3\n%4 = %5")
                                   .arg(xAxis->label())
                                   .arg(kx)
                                   .arg(ky + 1)
                                   .arg(map->name())
                                   .arg(map->data()->cell(kx, ky), 0, 'g', 10),
                               this);
            return;
        }
        QToolTip::hideText();
        return;
    }
    const QString text = describe_ ? describe_(hit, index)
                                   : QStringLiteral("%1\nx = %2\ny = %3")
                                         .arg(hit->name())
                                         .arg(hx, 0, 'g', 10)
                                         .arg(hy, 0, 'g', 10);
    QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void Plot::contextMenuEvent(QContextMenuEvent* event) {
    QMenu menu(this);
    QAction* fit = menu.addAction(tr("Fit to data"));
    QAction* save = menu.addAction(tr("Save plot as PNG or PDF…"));
    QAction* chosen = menu.exec(event->globalPos());
    if (chosen == fit) {
        rescaleAxes();
        replot();
    } else if (chosen == save) {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save plot"), title() + ".png",
                                                          tr("PNG image (*.png);;PDF (*.pdf)"));
        if (path.isEmpty())
            return;
        try {
            save_plot(*this, path);
        } catch (const std::exception& e) {
            QMessageBox::warning(this, tr("Save plot"), QString::fromStdString(e.what()));
        }
    }
}

}  // namespace ssmscope::gui
