// Draws training windows: each row of a batch is seq_len + 1 consecutive tokens starting at an
// offset chosen by a seeded 64-bit Mersenne twister. The generator's state is the data position
// a checkpoint stores, so a resumed run draws exactly the windows the uninterrupted one would.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace ssmscope::model {

class BatchSampler {
  public:
    BatchSampler(std::uint64_t seed, std::int64_t seq_len);

    // (batch × (seq_len + 1)) ids, row-major. Needs tokens.size() > seq_len.
    std::vector<std::int64_t> next(const std::vector<std::int64_t>& tokens, std::int64_t batch);

    std::int64_t drawn() const { return drawn_; }  // windows drawn so far
    std::string state() const;                     // the generator state and the count, as text
    void restore(const std::string& state);        // InputError when malformed

  private:
    std::mt19937_64 engine_;
    std::int64_t seq_len_;
    std::int64_t drawn_ = 0;
};

}  // namespace ssmscope::model
