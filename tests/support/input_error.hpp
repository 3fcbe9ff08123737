// The message of the InputError a call throws, for tests of bad input.
#pragma once

#include <string>
#include <string_view>

#include <boost/test/unit_test.hpp>

#include "base/error.hpp"

namespace ssmscope::test {

// The message of the InputError `f` throws; fails the test when it throws none.
template <typename F>
std::string input_error(F&& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    BOOST_ERROR("expected an InputError");
    return {};
}

inline bool contains(std::string_view s, std::string_view part) {
    return s.find(part) != std::string_view::npos;
}

}  // namespace ssmscope::test
