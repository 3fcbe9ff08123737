// Minimal realisation (python-control's minreal): remove the uncontrollable, then the
// unobservable part by orthogonal staircase reductions of the balanced system (SLICOT TB01PD),
// with the tolerance of the staircase ranks. Its order is the McMillan degree of the transfer
// function at that tolerance. The reduced system is in balanced, staircase coordinates.
#pragma once

#include <optional>

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

struct Minreal {
    StateSpace sys;  // the reduced system, same D and dt
    int order = 0;
    double tol = 0.0;  // relative, as in staircase.hpp; default default_structural_tol()
};

Minreal minreal(const StateSpace& sys, std::optional<double> tol = std::nullopt);

}  // namespace ssmscope::analysis
