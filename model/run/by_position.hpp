// Length generalisation as a curve: the whole text run as one sequence from a zero state, token by
// token through the recurrent step, so that the loss of the prediction made at position p and
// the norm of every layer's state after it are seen at every p up to the end of the text; both
// averaged over bins of `bin` positions. A model that generalises past its training length keeps
// a flat loss and a bounded state; one that does not shows where it breaks.
#pragma once

#include <cstdint>
#include <vector>

#include "model/nn/language_model.hpp"
#include "model/run/evaluate.hpp"

namespace ssmscope::model {

struct PositionCurve {
    std::int64_t bin = 0;             // positions per bin
    std::vector<std::int64_t> start;  // the first position of each bin
    std::vector<std::int64_t> count;  // predictions in each bin
    std::vector<double> loss;         // mean nats per token of the predictions made in the bin
    // [bin][layer]: the mean over the bin's positions of ||state of the layer after the token||
    // (the Frobenius norm of the layer's whole SSM state).
    std::vector<std::vector<double>> state_norm;
    // The first position whose loss or some layer's state norm is NaN or Inf (a diverging state
    // overflows), or -1; the bins from there on hold non-finite values.
    std::int64_t first_non_finite = -1;
    std::int64_t predicted = 0;
    double nll_mean = 0;  // over the whole text: what evaluate() gives with one window
    double seconds = 0;
};

// Needs at least two tokens and bin >= 1 (InputError otherwise).
PositionCurve evaluate_by_position(LanguageModel& model, const std::vector<std::int64_t>& tokens,
                                   std::int64_t bin, const Progress& progress = {});

}  // namespace ssmscope::model
