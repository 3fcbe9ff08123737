// Everything ssmscope reports about one LTI system (the `lti` command, and each frozen-time
// system of a checkpoint): spectrum and stability, controllability and observability ranks,
// Gramians, Hankel singular values and the minimal order.
#pragma once

#include <optional>

#include "analysis/controllability.hpp"
#include "analysis/gram.hpp"
#include "analysis/spectrum.hpp"
#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

struct LtiOptions {
    // One relative tolerance for every rank decision; by default the structural decisions use
    // default_structural_tol() and the SVD max(rows, cols) eps.
    std::optional<double> tol;
    // The SVD and PBH ranks and the staircase diagnostics beside the staircase rank, and the
    // Lyapunov residuals of the Gramians. Off, a RankDecision holds the staircase alone (rank,
    // blocks, tolerance) and the residuals stay 0: for bulk runs.
    bool cross_checks = true;
};

struct LtiReport {
    Index n = 0, m = 0, p = 0;
    double dt = 0.0;  // 0: continuous
    Spectrum spectrum;
    std::optional<RankDecision> ctrb;  // nullopt: no B given
    std::optional<RankDecision> obsv;  // nullopt: no C given
    Gramian gram_c, gram_o;            // undefined for an unstable A, or with no B (C) given
    double gram_c_residual = 0.0;      // relative residual of its Lyapunov equation (cross checks)
    double gram_o_residual = 0.0;
    std::optional<Vector> hsv;         // descending
    std::optional<int> minimal_order;  // nullopt unless both B and C are given
    double tolerance = 0.0;            // the relative tolerance the ranks were decided with
};

LtiReport analyze_lti(const StateSpace& sys, const LtiOptions& options = {});

}  // namespace ssmscope::analysis
