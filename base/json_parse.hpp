// Parsing JSON text with messages in the style of base/json_reader.hpp.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ssmscope {

// Parses `text`, read from `file`. Throws InputError "<file>: not valid JSON: <where and why>"
// ("<file>: <root>: not valid JSON: ..." when the text is only part of the file and `root` names
// it). The message keeps the library's explanation, without its tag, in printable ASCII.
nlohmann::json parse_json(std::string_view text, const std::string& file,
                          const std::string& root = {});

// Parses `text`, which must be a JSON object, strictly: a key that appears twice in an object, at
// any depth, is an error ("<file>: weight_map: key \"a\" appears twice"): the JSON library would
// silently keep the last one, and a header or index that names a tensor twice is ambiguous. A
// value that is not an object is "<file>: <root>: expected an object, found ...".
nlohmann::json parse_json_object(std::string_view text, const std::string& file,
                                 const std::string& root = {});

}  // namespace ssmscope
