// Hashing for std::string keys that lets unordered maps be searched with a std::string_view,
// without building a std::string for every lookup.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace ssmscope::model {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace ssmscope::model
