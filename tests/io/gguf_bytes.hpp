// GGUF files assembled byte by byte for the tests, so that the reader is checked against the
// format rather than against a writer: the header, key-value pairs of any type (or raw bytes, to
// write malformed ones), tensor infos at chosen offsets and the data section.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/io/fixtures.hpp"

namespace ssmscope::test {

inline void put_u32(Bytes& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        b.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
}

inline void put_u64(Bytes& b, std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
        b.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
}

inline void put_str(Bytes& b, std::string_view s) {
    put_u64(b, s.size());
    for (char c : s)
        b.push_back(static_cast<std::byte>(c));
}

inline void put_f32(Bytes& b, float f) {
    std::uint32_t v;
    std::memcpy(&v, &f, 4);
    put_u32(b, v);
}

// GGUF value types and ggml tensor types, by number, as the file writes them.
namespace gguf_type {
constexpr std::uint32_t u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, boolean = 7,
                        string = 8, array = 9, u64 = 10, i64 = 11, f64 = 12;
}
namespace ggml_type {
constexpr std::uint32_t f32 = 0, f16 = 1, q4_0 = 2, q8_0 = 8, q4_k = 12, bf16 = 30;
}

class GgufBytes {
  public:
    explicit GgufBytes(std::uint32_t version = 3) : version_(version) {}

    // A key with its type and the value's bytes as given (which may be malformed).
    GgufBytes& kv_raw(std::string_view key, std::uint32_t type, const Bytes& value) {
        put_str(kv_, key);
        put_u32(kv_, type);
        kv_.insert(kv_.end(), value.begin(), value.end());
        ++n_kv_;
        return *this;
    }
    GgufBytes& kv_u32(std::string_view key, std::uint32_t v) {
        Bytes b;
        put_u32(b, v);
        return kv_raw(key, gguf_type::u32, b);
    }
    GgufBytes& kv_f32(std::string_view key, float v) {
        Bytes b;
        put_f32(b, v);
        return kv_raw(key, gguf_type::f32, b);
    }
    GgufBytes& kv_bool(std::string_view key, bool v) {
        return kv_raw(key, gguf_type::boolean, bytes({v ? 1U : 0U}));
    }
    GgufBytes& kv_str(std::string_view key, std::string_view v) {
        Bytes b;
        put_str(b, v);
        return kv_raw(key, gguf_type::string, b);
    }
    GgufBytes& kv_strings(std::string_view key, const std::vector<std::string>& items) {
        Bytes b;
        put_u32(b, gguf_type::string);
        put_u64(b, items.size());
        for (const std::string& s : items)
            put_str(b, s);
        return kv_raw(key, gguf_type::array, b);
    }
    GgufBytes& kv_i32s(std::string_view key, const std::vector<std::int32_t>& items) {
        Bytes b;
        put_u32(b, gguf_type::i32);
        put_u64(b, items.size());
        for (std::int32_t v : items)
            put_u32(b, static_cast<std::uint32_t>(v));
        return kv_raw(key, gguf_type::array, b);
    }

    // A tensor info; its data goes at `offset` in the data section (the next aligned offset after
    // the previous tensor's data when not given).
    GgufBytes& tensor(std::string_view name, const std::vector<std::uint64_t>& ne,
                      std::uint32_t type, const Bytes& data,
                      std::optional<std::uint64_t> offset = std::nullopt) {
        const std::uint64_t at = offset.value_or(next_offset_);
        put_str(infos_, name);
        put_u32(infos_, static_cast<std::uint32_t>(ne.size()));
        for (std::uint64_t n : ne)
            put_u64(infos_, n);
        put_u32(infos_, type);
        put_u64(infos_, at);
        if (at + data.size() > data_.size())
            data_.resize(at + data.size());
        std::copy(data.begin(), data.end(), data_.begin() + static_cast<std::ptrdiff_t>(at));
        next_offset_ = (at + data.size() + alignment_ - 1) / alignment_ * alignment_;
        ++n_tensors_;
        return *this;
    }

    // Counts to write instead of the true ones; bytes to drop from the end.
    GgufBytes& counts(std::uint64_t n_tensors, std::uint64_t n_kv) {
        n_tensors_override_ = n_tensors;
        n_kv_override_ = n_kv;
        return *this;
    }
    GgufBytes& truncate(std::size_t drop) {
        drop_ = drop;
        return *this;
    }
    GgufBytes& alignment(std::uint32_t a) {
        alignment_ = a;
        return *this;
    }

    Bytes build() const {
        Bytes out = text_bytes("GGUF");
        put_u32(out, version_);
        put_u64(out, n_tensors_override_.value_or(n_tensors_));
        put_u64(out, n_kv_override_.value_or(n_kv_));
        out.insert(out.end(), kv_.begin(), kv_.end());
        out.insert(out.end(), infos_.begin(), infos_.end());
        while (n_tensors_ > 0 && out.size() % alignment_ != 0)
            out.push_back(std::byte{0});
        out.insert(out.end(), data_.begin(), data_.end());
        out.resize(out.size() - std::min(drop_, out.size()));
        return out;
    }

  private:
    std::uint32_t version_;
    std::uint32_t alignment_ = 32;
    Bytes kv_, infos_, data_;
    std::uint64_t n_kv_ = 0, n_tensors_ = 0, next_offset_ = 0;
    std::optional<std::uint64_t> n_tensors_override_, n_kv_override_;
    std::size_t drop_ = 0;
};

// Float32 values as bytes.
inline Bytes f32_bytes(const std::vector<float>& v) {
    Bytes b;
    for (float f : v)
        put_f32(b, f);
    return b;
}

// The metadata of a tiny Mamba-1 (d_model 4, one layer, d_inner 8, d_state 2, dt_rank 1).
inline GgufBytes& tiny_mamba_metadata(GgufBytes& g) {
    return g.kv_str("general.architecture", "mamba")
        .kv_u32("mamba.embedding_length", 4)
        .kv_u32("mamba.block_count", 1)
        .kv_u32("mamba.ssm.conv_kernel", 4)
        .kv_u32("mamba.ssm.inner_size", 8)
        .kv_u32("mamba.ssm.state_size", 2)
        .kv_u32("mamba.ssm.time_step_rank", 1)
        .kv_f32("mamba.attention.layer_norm_rms_epsilon", 1e-5F);
}

}  // namespace ssmscope::test
