// Reading a JSON document with messages that name the file and the exact field that is wrong,
// e.g. "tokenizer.json: model.merges[3]: expected two tokens".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ssmscope::model {

// A value in a JSON document and its path from the root ("model.vocab", "added_tokens[2]").
// A key that is absent gives a node that is_absent(); reading a required value from it fails.
class JsonNode {
  public:
    // The root of `document`, read from `file` (which messages name).
    JsonNode(const nlohmann::json& document, std::string file);

    const nlohmann::json& json() const { return *value_; }
    const std::string& path() const { return path_; }
    const std::string& file() const { return file_; }
    bool is_absent() const { return absent_; }
    // Absent, or JSON null.
    bool is_null() const { return absent_ || value_->is_null(); }

    // Member `key` of an object (fails if this is not an object).
    JsonNode operator[](std::string_view key) const;
    // Element `index` of an array.
    JsonNode operator[](std::size_t index) const;
    // The value of member `key` of an object, named like a map entry: vocab["Ġthe"].
    JsonNode entry(const std::string& key) const;

    std::string string() const;
    std::int64_t integer() const;
    bool boolean() const;
    // A boolean member that may be absent or null, meaning `fallback`.
    bool boolean_or(bool fallback) const;
    // The array's length (fails if this is not an array).
    std::size_t size() const;
    // Requires an object.
    const nlohmann::json::object_t& object() const;

    // Throws InputError "<file>: <path>: <what>".
    [[noreturn]] void fail(std::string_view what) const;

  private:
    JsonNode(const nlohmann::json* value, std::string path, std::string file, bool absent);
    std::string where() const;
    [[noreturn]] void expected(std::string_view what) const;

    const nlohmann::json* value_;
    std::string path_;
    std::string file_;
    bool absent_;
};

// `s` as a JSON string literal, quotes and escapes included, for messages.
std::string quoted(std::string_view s);

}  // namespace ssmscope::model
