// Typed reads of a GGUF file's metadata, each refusing a value of the wrong type with a message
// that names the file, the key, what was expected and what was found.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/io/gguf/gguf_file.hpp"

namespace ssmscope::model {

// A non-negative integer of any integer type; nullopt when the key is absent.
std::optional<std::uint64_t> meta_uint(const GgufFile&, std::string_view key);
// The same, required and positive.
std::uint64_t meta_positive(const GgufFile&, std::string_view key);
std::optional<double> meta_float(const GgufFile&, std::string_view key);
std::optional<bool> meta_bool(const GgufFile&, std::string_view key);
std::optional<std::string> meta_string(const GgufFile&, std::string_view key);

// The InputError for `key`: "<file>: metadata '<key>': expected <what>, found <...>".
[[noreturn]] void meta_fail(const GgufFile&, std::string_view key, const std::string& what);

}  // namespace ssmscope::model
