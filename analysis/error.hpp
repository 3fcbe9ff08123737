// Errors that analysis/ reports to its callers.
#pragma once

#include <stdexcept>
#include <string>

namespace ssmscope::analysis {

// Bad input from the user: a malformed file, matrices whose sizes do not fit, an invalid option.
// Front ends show the message as it is and exit with code 2; it names what was wrong.
class InputError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace ssmscope::analysis
