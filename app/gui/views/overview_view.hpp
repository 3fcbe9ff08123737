// The model at a glance: its summary, the layer list with badges, and model-wide plots per
// layer (stability margin, rank fractions, largest Lyapunov exponent, sensitivity to input
// rounding). Double-clicking a layer opens it in the layer view.
#pragma once

#include <QWidget>
#include <memory>

#include "app/gui/core/analysis_result.hpp"

class QTableView;
class QTableWidget;
class QLabel;

namespace ssmscope::gui {

class LayerTableModel;
class Plot;

class OverviewView : public QWidget {
    Q_OBJECT
  public:
    explicit OverviewView(QWidget* parent = nullptr);

    void set_result(std::shared_ptr<const AnalysisResult> result);
    LayerTableModel* layer_model() const { return model_; }
    QList<Plot*> plots() const;

  signals:
    void layer_activated(int row);  // a row of the layer list

  private:
    LayerTableModel* model_;
    QTableView* table_;
    QTableWidget* summary_;
    QLabel* headline_;
    Plot* stability_;
    Plot* ranks_;
    Plot* lyapunov_;
    Plot* sensitivity_;
};

}  // namespace ssmscope::gui
