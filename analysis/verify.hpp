// The conditions `ssmscope-cli verify` checks, on every analysed layer, every unit and (for the
// selective vectors) every probe token:
//   controllable: the frozen-time pair (A, b_t) has rank N at every token;
//   observable:   the frozen-time pair (A, c_t) has rank N at every token;
//   stable:       A is Hurwitz (max Re λ < 0) and Ā = exp(Δ_t A) is Schur (ρ < 1) at every
//                 observed step Δ_t;
//   divergent:    the token-dynamics criterion excludes the convergent scenario (docs/numbers.md
//                 §7(b)): in every group no nonzero eigenvalue of M = S_Cᵀ S_B has negative real
//                 part and at least one has positive real part. A layer whose b or c is fixed has
//                 no criterion and fails, with the reason.
// Each failing unit is one violation that names the layer, the unit and why.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/probe_trace.hpp"

namespace ssmscope::analysis {

enum class Condition { Controllable, Observable, Stable, Divergent };
const char* to_string(Condition c);
// "controllable", "observable", "stable", "divergent"; throws InputError naming the accepted words.
Condition parse_condition(const std::string& word);

struct Violation {
    Condition condition = Condition::Stable;
    int layer = 0;
    std::string unit_name;
    Index unit = 0;
    std::string detail;
};

struct VerifyResult {
    std::vector<Condition> required;
    double tol = 0;
    std::vector<Violation> violations;
    bool holds() const { return violations.empty(); }
};

VerifyResult verify(const ProbeTrace& trace, const std::vector<Condition>& required,
                    std::optional<double> tol = {});

}  // namespace ssmscope::analysis
