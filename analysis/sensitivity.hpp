// End-to-end sensitivity of the whole model (docs/numbers.md §8, as in the Lyapunov-stability
// paper): every input embedding is rounded to a lower precision (bf16, f16), the model runs again,
// and per layer l the difference of the residual stream is compared with the difference put in:
//     gain_l = log(||δ h_(l+1)|| / ||δ h_0||)   (Frobenius norms over every token),
// and along the sequence, at position t the output difference against the input difference of
// the tokens up to t, r_l(t) = log(||δ h_(l+1)[t]|| / ||δ h_0[0..t]||), whose least-squares slope
// over t says whether deviations grow with the sequence (positive) or fade (negative).
#pragma once

#include <string>
#include <vector>

#include "analysis/probe_trace.hpp"

namespace ssmscope::analysis {

struct Sensitivity {
    std::string name;
    double unit_roundoff = 0;
    double input_relative = 0;           // ||δ h_0|| / ||h_0||
    std::vector<double> layer_log_gain;  // per layer l = 0..n_layer-1
    std::vector<double> layer_sequence_slope;
    Matrix token_log_gain;  // L x n_layer: r_l(t); NaN while no input moved yet
};

std::vector<Sensitivity> sensitivity(const ProbeTrace& trace);

}  // namespace ssmscope::analysis
