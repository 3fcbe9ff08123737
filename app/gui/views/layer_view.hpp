// One layer in detail. Layer-wide: the channel × state heat map of Re λ(A) and every token's
// norm across depth. For the channel (or head) and probe token the selectors pick: the
// eigenvalues of A and of Ā_t = exp(Δ_t A), the singular values of ctrb(A, b_t) and obsv(A, c_t)
// with their tolerance lines, the Hankel singular values of the frozen system (continuous and
// sampled), the unit's Lyapunov spectrum, and the rank evidence as text.
#pragma once

#include <QWidget>
#include <memory>

#include "app/gui/core/analysis_result.hpp"

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace ssmscope::gui {

class Plot;

class LayerView : public QWidget {
    Q_OBJECT
  public:
    explicit LayerView(QWidget* parent = nullptr);

    void set_result(std::shared_ptr<const AnalysisResult> result);
    void select(int layer_row, int unit = 0, int token = -1);  // token -1: the last
    QList<Plot*> plots() const;

  private:
    void update_layer();  // layer-wide plots, then update_unit()
    void update_unit();   // the plots of the selected unit and token

    std::shared_ptr<const AnalysisResult> result_;
    QComboBox* layer_;
    QSpinBox* unit_;
    QLabel* unit_label_;
    QSpinBox* token_;
    QSlider* token_slider_;
    QCheckBox* all_units_;
    QLabel* details_;
    Plot* eig_continuous_;
    Plot* eig_discrete_;
    Plot* singular_values_;
    Plot* hankel_;
    Plot* lyapunov_;
    Plot* heat_map_;
    Plot* token_norms_;
    Plot* impulse_;
};

}  // namespace ssmscope::gui
