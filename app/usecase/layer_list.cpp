#include "app/usecase/layer_list.hpp"

#include <algorithm>
#include <sstream>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::usecase {

namespace {

std::string trimmed(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos)
        return {};
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

}  // namespace

std::vector<std::int64_t> parse_layer_list(const std::string& spec, const std::string& field) {
    std::vector<std::int64_t> out;
    std::stringstream ss(spec);
    std::string raw;
    while (std::getline(ss, raw, ',')) {
        const std::string item = trimmed(raw);
        const auto number = [&](const std::string& s) -> std::int64_t {
            std::size_t used = 0;
            long long v = -1;
            try {
                v = std::stoll(s, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (s.empty() || used != s.size() || v < 0)
                throw InputError(str(field, ": '", item, "' is not a layer index or a range a-b"));
            return v;
        };
        // From the second character: a leading '-' is a negative number, not a range.
        const auto dash = item.find('-', 1);
        if (dash == std::string::npos) {
            out.push_back(number(item));
            continue;
        }
        const std::int64_t lo = number(trimmed(item.substr(0, dash)));
        const std::int64_t hi = number(trimmed(item.substr(dash + 1)));
        if (hi < lo)
            throw InputError(str(field, ": the range '", item, "' is empty"));
        for (std::int64_t i = lo; i <= hi; ++i)
            out.push_back(i);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace ssmscope::usecase
