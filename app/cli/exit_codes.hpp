// Exit codes of ssmscope-cli (docs/conventions.md §4), for scripts and CI gates.
#pragma once

namespace ssmscope::cli {

inline constexpr int kOk = 0;
inline constexpr int kConditionFails = 1;  // a verified condition does not hold
inline constexpr int kBadInput = 2;        // bad input or usage; the message names what

}  // namespace ssmscope::cli
