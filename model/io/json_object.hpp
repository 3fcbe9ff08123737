// Strict parsing of the JSON that checkpoints carry (safetensors headers, shard indexes).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ssmscope::model {

// Parses `text`, which must be a JSON object. Duplicate keys are rejected at every level: the
// JSON library would silently keep the last one, and a header or index that names a tensor twice
// is ambiguous. Throws InputError "<source>: <what> is not valid JSON: ..." (or "... is an array,
// expected a JSON object", or "... key 'k' appears twice in ...").
nlohmann::json parse_json_object(std::string_view text, const std::string& source,
                                 std::string_view what);

// "a string \"abc\"", "a number 2.5", "an array", "null", ... for messages that reject a value.
std::string json_kind(const nlohmann::json& value);

}  // namespace ssmscope::model
