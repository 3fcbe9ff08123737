// The lower median (the element at (size - 1) / 2 in ascending order) that the per-layer
// summaries report; T{} for no values.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace ssmscope::analysis {

template <typename T>
T median(std::vector<T> v) {
    if (v.empty())
        return T{};
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>((v.size() - 1) / 2);
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
}

}  // namespace ssmscope::analysis
