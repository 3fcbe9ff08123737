// Hankel singular values sigma_i = sqrt(lambda_i(Wc Wo)), computed without forming the product:
// with Wc = Rc Rc' and Wo = Ro' Ro they are the singular values of Ro Rc (square-root method).
// Invariant under state similarity; undefined when either Gramian is.
#pragma once

#include <optional>

#include "analysis/gram.hpp"

namespace ssmscope::analysis {

// Descending. nullopt when either Gramian is undefined.
std::optional<Vector> hsv(const Gramian& wc, const Gramian& wo);
std::optional<Vector> hsv(const StateSpace& sys);

}  // namespace ssmscope::analysis
