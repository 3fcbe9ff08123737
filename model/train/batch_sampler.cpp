#include "model/train/batch_sampler.hpp"

#include <sstream>

#include "base/error.hpp"

namespace ssmscope::model {

BatchSampler::BatchSampler(std::uint64_t seed, std::int64_t seq_len)
    : engine_(seed), seq_len_(seq_len) {}

std::vector<std::int64_t> BatchSampler::next(const std::vector<std::int64_t>& tokens,
                                             std::int64_t batch) {
    const auto span = static_cast<std::uint64_t>(tokens.size()) -
                      static_cast<std::uint64_t>(seq_len_);  // offsets 0 … span − 1
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(batch * (seq_len_ + 1)));
    for (std::int64_t b = 0; b < batch; ++b) {
        // The modulo bias is below span / 2^64: irrelevant, and unlike
        // std::uniform_int_distribution the result is the same with every standard library.
        const auto offset = static_cast<std::ptrdiff_t>(engine_() % span);
        out.insert(out.end(), tokens.begin() + offset, tokens.begin() + offset + seq_len_ + 1);
        ++drawn_;
    }
    return out;
}

std::string BatchSampler::state() const {
    std::ostringstream s;
    s << drawn_ << ' ' << engine_;
    return s.str();
}

void BatchSampler::restore(const std::string& state) {
    std::istringstream s(state);
    std::int64_t drawn = 0;
    std::mt19937_64 engine;
    s >> drawn >> engine;
    if (!s || drawn < 0)
        throw InputError("trainer_state.json: sampler is not a valid generator state");
    drawn_ = drawn;
    engine_ = engine;
}

}  // namespace ssmscope::model
