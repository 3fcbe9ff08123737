// Helpers of the model/io tests: a scratch directory per test, and safetensors files assembled
// byte by byte so that the reader is checked against the format rather than against the writer.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <unistd.h>

#include "analysis/error.hpp"

namespace ssmscope::test {

using Bytes = std::vector<std::byte>;

// A fresh directory under the system temp directory, removed with everything in it at the end.
class TempDir {
  public:
    TempDir() {
        static std::atomic<unsigned> counter{0};
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() /
                ("ssmscope-io-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
                 "-" + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

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

// The message of the InputError `f` throws ("" and a failed check when it throws none).
template <typename F>
std::string input_error(F&& f) {
    try {
        f();
    } catch (const analysis::InputError& e) {
        return e.what();
    }
    BOOST_ERROR("expected an InputError");
    return {};
}

// Checks that `message` mentions each of `parts`.
inline void check_mentions(const std::string& message,
                           std::initializer_list<std::string_view> parts) {
    for (std::string_view p : parts)
        BOOST_CHECK_MESSAGE(message.find(p) != std::string::npos,
                            "message \"" << message << "\" does not mention \"" << p << "\"");
}

}  // namespace ssmscope::test
