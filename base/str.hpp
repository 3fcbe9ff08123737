// Message building without <format> (GCC 12 lacks it): str(a, b, c) streams its arguments.
#pragma once

#include <sstream>
#include <string>

namespace ssmscope {

template <typename... Args>
std::string str(const Args&... args) {
    std::ostringstream os;
    os.precision(17);
    (os << ... << args);
    return os.str();
}

}  // namespace ssmscope
