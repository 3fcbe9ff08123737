// Reading a JSON document with messages that name the file and the exact value that is wrong, in
// one style for every file ssmscope reads:
//   "<file>: <path>: expected <what>, found <kind>"    a value of the wrong kind
//   "<file>: <path>: missing (expected <what>)"        a required member that is absent
//   "<file>: <path>: <what>"                           anything else about that value
// The path runs from the root: "model.vocab[\"Ġthe\"]", "added_tokens[2].id"; the root itself is
// "top level" unless it is given a name (a safetensors file's "header").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace ssmscope {

// A value in a JSON document and its path from the root. A member or element that is not there
// gives a node that is_absent(); reading a required value from it fails with "missing".
class JsonNode {
  public:
    // The root of `document`, read from `file` (which messages name and which InputError's
    // subject is). `root` names the root in paths; empty, messages say "top level".
    JsonNode(const nlohmann::json& document, std::string file, std::string root = {});

    const nlohmann::json& json() const { return *value_; }
    // From the root, e.g. "model.merges[3]"; the root's name ("" when it has none).
    const std::string& path() const { return path_; }
    const std::string& file() const { return file_; }
    bool is_absent() const { return absent_; }
    // Absent, or JSON null: what the *_or reads take for "use the fallback".
    bool is_null() const { return absent_ || value_->is_null(); }

    // Navigation. A member of an object, "a.b" (fails unless this is an object).
    JsonNode operator[](std::string_view key) const;
    // An element of an array, "a[2]" (fails unless this is an array; absent past the end).
    JsonNode operator[](std::size_t index) const;
    // A member of an object used as a map, with any key: "vocab[\"Ġthe\"]".
    JsonNode entry(const std::string& key) const;
    // This object, or an empty one when absent or null: its members are then all absent, so
    // that a section that may be left out reads as its fallbacks.
    JsonNode object_or_empty() const;

    // Required reads: each fails unless the value is of that kind.
    std::string string() const;
    std::int64_t integer() const;  // any integer that fits 64 bits
    std::int64_t positive_integer() const;
    double number() const;
    bool boolean() const;
    std::size_t size() const;  // of an array
    const nlohmann::json::object_t& object() const;

    // Reads with a fallback for a value that is absent or null; any other value must be of the
    // kind asked for.
    std::string string_or(const std::string& fallback) const;
    std::int64_t positive_integer_or(std::int64_t fallback) const;
    double number_or(double fallback) const;
    bool boolean_or(bool fallback) const;
    // nullopt when absent or null. A value that is not an integer fails when `strict`, and is
    // nullopt otherwise (for a caller that accepts something else there, e.g. "auto").
    std::optional<std::int64_t> optional_integer(bool strict = true) const;
    // A range [low, high] of two numbers with low <= high, such as `time_step_limit`. Python
    // writes infinity as a bare Infinity, which is not JSON: the strings "inf", "Infinity",
    // "-inf" and "-Infinity" stand for it.
    std::pair<double, double> range_or(std::pair<double, double> fallback) const;

    // "<file>: <path>: missing (expected <what>)" or "...: expected <what>, found <kind>".
    [[noreturn]] void expected(std::string_view what) const;
    // "<file>: <path>: <what>".
    [[noreturn]] void fail(std::string_view what) const;

  private:
    JsonNode(const nlohmann::json* value, std::string path, std::string file, bool absent);
    JsonNode child(const nlohmann::json* value, std::string path) const;

    const nlohmann::json* value_;
    std::string path_;
    std::string file_;
    bool absent_;
};

// What a value is, for "found ...": "null", "true", "the number 2.5", "the string \"abc\"" (long
// strings cut), "an empty array", "an array of 3 elements", "an object".
std::string json_kind(const nlohmann::json& value);

// `s` as a JSON string literal, quotes and escapes included, for messages; bytes that are not
// UTF-8 become U+FFFD, so that a message about a damaged file is still text.
// (The overloads for std::string and const char* keep std::quoted, which argument-dependent
// lookup also finds, from being chosen.)
std::string quoted(std::string_view s);
std::string quoted(const std::string& s);
std::string quoted(const char* s);

}  // namespace ssmscope
