// Stopping a long analysis from another thread (the GUI's Cancel button). The report's progress
// callback runs only between the stages of a layer, and one stage of a large layer takes seconds
// (a staircase per unit and token), so the loops inside the stages poll a flag as well: the flag
// a CancelScope installs on the calling thread, which parallel_for hands on to its threads.
#pragma once

#include <atomic>
#include <stdexcept>

namespace ssmscope {

// Thrown when an analysis is asked to stop.
class Cancelled : public std::runtime_error {
  public:
    Cancelled() : std::runtime_error("cancelled") {}
};

using CancelFlag = std::atomic<bool>;

namespace detail {
inline thread_local const CancelFlag* cancel_flag = nullptr;
}

// The flag this thread's analysis polls; nullptr when nothing can cancel it.
inline const CancelFlag* current_cancel_flag() {
    return detail::cancel_flag;
}

inline void throw_if_cancelled() {
    if (const CancelFlag* f = detail::cancel_flag; f && f->load(std::memory_order_relaxed))
        throw Cancelled();
}

// Installs `flag` on this thread for the scope's lifetime (scopes nest).
class CancelScope {
  public:
    explicit CancelScope(const CancelFlag* flag) : previous_(detail::cancel_flag) {
        detail::cancel_flag = flag;
    }
    ~CancelScope() { detail::cancel_flag = previous_; }
    CancelScope(const CancelScope&) = delete;
    CancelScope& operator=(const CancelScope&) = delete;

  private:
    const CancelFlag* previous_;
};

}  // namespace ssmscope
