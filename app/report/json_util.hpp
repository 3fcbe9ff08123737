// Conversions of Eigen values to JSON. JSON has no Inf or NaN: they become null.
#pragma once

#include <complex>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/state_space.hpp"

namespace ssmscope::report {

nlohmann::ordered_json number(double x);
nlohmann::ordered_json rows(const analysis::Matrix& M);  // [[row 1], [row 2], ...]
nlohmann::ordered_json list(const analysis::Vector& v);
nlohmann::ordered_json complex_pairs(
    const std::vector<std::complex<double>>& z);  // [[re, im], ...]

}  // namespace ssmscope::report
