// The layer list of the overview: one row per analysed layer with its badges (controllable,
// observable, stable, tokens converging or diverging) and the numbers behind them. Adapts an
// immutable CheckpointReport; set_report() swaps it whole.
#pragma once

#include <QAbstractTableModel>
#include <memory>

#include "app/gui/core/analysis_result.hpp"

namespace ssmscope::gui {

class LayerTableModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column {
        Layer,
        Form,
        Size,
        Controllable,
        Observable,
        Stable,
        Tokens,
        Abscissa,
        Radius,
        Lyapunov,
        ColumnCount
    };
    // The verdict of a badge column, for sorting, colouring and tests.
    enum class Badge { Yes, Partly, No, NotApplicable };
    static constexpr int BadgeRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;

    void set_result(std::shared_ptr<const AnalysisResult> result);
    const std::shared_ptr<const AnalysisResult>& result() const { return result_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

    static Badge controllable(const analysis::LayerReport& l);
    static Badge observable(const analysis::LayerReport& l);
    static Badge stable(const analysis::LayerReport& l);

  private:
    std::shared_ptr<const AnalysisResult> result_;
};

}  // namespace ssmscope::gui
