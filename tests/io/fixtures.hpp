// Helpers of the model/io tests: a scratch directory per test, and safetensors files assembled
// byte by byte so that the reader is checked against the format rather than against the writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <unistd.h>

#include "base/error.hpp"
#include "tests/support/input_error.hpp"
#include "tests/support/temp_dir.hpp"

namespace ssmscope::test {

using Bytes = std::vector<std::byte>;

// Bytes from their values, written out as they lie in the file: bytes({0x00, 0x3C}).
inline Bytes bytes(std::initializer_list<unsigned> values) {
    Bytes out;
    for (unsigned v : values)
        out.push_back(static_cast<std::byte>(v));
    return out;
}

inline Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

inline Bytes text_bytes(std::string_view s) {
    Bytes out;
    for (char c : s)
        out.push_back(static_cast<std::byte>(c));
    return out;
}

// The 8-byte little-endian length, spelled out byte by byte.
inline Bytes u64_le(std::uint64_t v) {
    Bytes out;
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
    return out;
}

// A safetensors file: length of `header`, `header`, `data`.
inline Bytes safetensors_bytes(std::string_view header, const Bytes& data) {
    return concat({u64_le(header.size()), text_bytes(header), data});
}

inline void write_file(const std::filesystem::path& path, const Bytes& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(content.data()),
              static_cast<std::streamsize>(content.size()));
    BOOST_REQUIRE(out.good());
}

inline void write_file(const std::filesystem::path& path, std::string_view text) {
    write_file(path, text_bytes(text));
}

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline Bytes read_file(const std::filesystem::path& path) {
    return text_bytes(read_text(path));
}

inline Bytes to_bytes(std::span<const std::byte> s) {
    return {s.begin(), s.end()};
}

// Checks that `message` mentions each of `parts`.
inline void check_mentions(const std::string& message,
                           std::initializer_list<std::string_view> parts) {
    for (std::string_view p : parts)
        BOOST_CHECK_MESSAGE(message.find(p) != std::string::npos,
                            "message \"" << message << "\" does not mention \"" << p << "\"");
}

}  // namespace ssmscope::test
