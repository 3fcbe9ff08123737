// printf into a std::string of whatever length it needs (a Gramian row or a reason can be long),
// for the text reports.
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>

namespace ssmscope::report {

template <typename... Args>
std::string fmt(const char* format, Args... args) {
    const int size = std::snprintf(nullptr, 0, format, args...);
    std::string out(static_cast<std::size_t>(std::max(size, 0)) + 1, '\0');
    std::snprintf(out.data(), out.size(), format, args...);
    out.pop_back();
    return out;
}

}  // namespace ssmscope::report
