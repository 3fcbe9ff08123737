// Exit codes of ssmscope-cli (docs/conventions.md §4), for scripts and CI gates.
#pragma once

namespace ssmscope::cli {

inline constexpr int kOk = 0;
inline constexpr int kConditionFails = 1;  // a verified condition does not hold
inline constexpr int kBadInput = 2;        // bad input or usage; the message names what
inline constexpr int kInternalError = 3;   // a failure that is not the input's: a defect to report
// train/finetune stopped by SIGINT after saving its checkpoint (128 + SIGINT, as shells do)
inline constexpr int kInterrupted = 130;

}  // namespace ssmscope::cli
