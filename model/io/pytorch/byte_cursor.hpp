// Little-endian reads from a span that never step outside it: the zip reader and the unpickler
// take every length and offset from a file that may be truncated or hostile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ssmscope::model {

class ByteCursor {
  public:
    explicit ByteCursor(std::span<const std::byte> bytes, std::size_t pos = 0)
        : bytes_(bytes), pos_(pos) {}

    std::size_t pos() const { return pos_; }
    std::size_t remaining() const { return pos_ <= bytes_.size() ? bytes_.size() - pos_ : 0; }
    bool at_end() const { return remaining() == 0; }

    // nullopt (and the position unchanged) when fewer than `n` bytes remain.
    std::optional<std::span<const std::byte>> take(std::size_t n) {
        if (n > remaining())
            return std::nullopt;
        const auto out = bytes_.subspan(pos_, n);
        pos_ += n;
        return out;
    }

    // An unsigned little-endian integer of `n` <= 8 bytes.
    std::optional<std::uint64_t> uint(std::size_t n) {
        if (n > 8)
            return std::nullopt;
        const auto b = take(n);
        if (!b)
            return std::nullopt;
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < n; ++i)
            v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>((*b)[i])) << (8 * i);
        return v;
    }

    std::optional<std::string> text(std::size_t n) {
        const auto b = take(n);
        if (!b)
            return std::nullopt;
        return std::string(reinterpret_cast<const char*>(b->data()), b->size());
    }

    // The bytes up to the next '\n', which is consumed; nullopt when there is none.
    std::optional<std::string> line() {
        for (std::size_t i = pos_; i < bytes_.size(); ++i) {
            if (bytes_[i] == std::byte{'\n'}) {
                std::string out(reinterpret_cast<const char*>(bytes_.data() + pos_), i - pos_);
                pos_ = i + 1;
                return out;
            }
        }
        return std::nullopt;
    }

  private:
    std::span<const std::byte> bytes_;
    std::size_t pos_;
};

}  // namespace ssmscope::model
