#include "app/report/json_util.hpp"

#include <cmath>

namespace ssmscope::report {

using json = nlohmann::ordered_json;

json number(double x) {
    return std::isfinite(x) ? json(x) : json(nullptr);
}

json list(const analysis::Vector& v) {
    json out = json::array();
    for (analysis::Index i = 0; i < v.size(); ++i)
        out.push_back(number(v(i)));
    return out;
}

json rows(const analysis::Matrix& M) {
    json out = json::array();
    for (analysis::Index i = 0; i < M.rows(); ++i)
        out.push_back(list(M.row(i).transpose()));
    return out;
}

json complex_pairs(const std::vector<std::complex<double>>& z) {
    json out = json::array();
    for (auto v : z)
        out.push_back(json::array({number(v.real()), number(v.imag())}));
    return out;
}

}  // namespace ssmscope::report
