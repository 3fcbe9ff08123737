// The plot widget every view uses: QCustomPlot with the app's look, a tooltip that gives the
// exact values of the point under the mouse, zoom and pan, and a context menu to save it.
#pragma once

#include <QString>
#include <functional>

#include <qcustomplot.h>

namespace ssmscope::gui {

class Plot : public QCustomPlot {
    Q_OBJECT
  public:
    explicit Plot(const QString& title, QWidget* parent = nullptr);

    void set_title(const QString& title);
    void set_labels(const QString& x, const QString& y);
    void set_log_y(bool log);
    // Ticks on whole numbers only (layers, indices): 1, 2, 5, 10, ... apart as the range allows.
    void set_integer_x();
    // One unit on x as long as one unit on y (a circle drawn as a circle): after each range change
    // through rescale_equal() and each resize, the axis with the tighter scale is widened.
    void set_equal_aspect(bool on);
    void rescale_equal();
    // Removes every graph, curve and item added since construction.
    void reset();
    // A scatter (no line) or a line graph; `color` from palette(i).
    QCPGraph* add_graph(const QString& name, const QVector<double>& x, const QVector<double>& y,
                        const QColor& color, bool line);
    // Data points over all graphs (not the guides drawn as curves): what the tests count.
    int point_count() const;
    // How a hovered point is described: by default "name: x = …, y = …".
    void set_describe(std::function<QString(const QCPAbstractPlottable*, int index)> describe) {
        describe_ = std::move(describe);
    }
    QString title() const;

    static QColor palette(int i);

  protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

  private:
    QCPTextElement* title_ = nullptr;
    bool equal_aspect_ = false;
    std::function<QString(const QCPAbstractPlottable*, int)> describe_;
};

}  // namespace ssmscope::gui
