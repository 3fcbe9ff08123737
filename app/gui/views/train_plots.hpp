// The live plots of a training run: training and validation loss, perplexity, and per layer the
// stability snapshots' spectral abscissa, largest Lyapunov exponent and the watch's numbers (min
// |A|, max ā, the Δ range, the largest state norm; docs/numbers.md §9). They grow with every
// event the run reports.
#pragma once

#include <QList>
#include <QWidget>

#include "model/train/train_events.hpp"

namespace ssmscope::gui {

class Plot;

class TrainPlots : public QWidget {
    Q_OBJECT
  public:
    explicit TrainPlots(QWidget* parent = nullptr);

    void clear();
    // False (and nothing drawn) for a step the plots already hold: a resumed multi-process run
    // replays its log from the start.
    bool add_step(const model::StepEvent& e);
    void add_eval(const model::EvalEvent& e);
    QList<Plot*> plots() const;

  private:
    Plot *loss_, *perplexity_, *abscissa_, *lyapunov_;
    Plot *abs_a_, *abar_, *delta_, *state_;
};

}  // namespace ssmscope::gui
