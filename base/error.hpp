// The error every layer of ssmscope reports bad input with.
#pragma once

#include <stdexcept>
#include <string>

namespace ssmscope {

// Bad input from the user: a malformed file, matrices whose sizes do not fit, an invalid option.
// Front ends show the message as it is and exit with code 2; it names what was wrong. `subject`
// names the input it is about ("A", "B", ...) when the message alone cannot name its file.
class InputError : public std::runtime_error {
  public:
    explicit InputError(const std::string& message, std::string subject = {})
        : std::runtime_error(message), subject_(std::move(subject)) {}
    const std::string& subject() const { return subject_; }

  private:
    std::string subject_;
};

}  // namespace ssmscope
