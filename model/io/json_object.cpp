#include "model/io/json_object.hpp"

#include <functional>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

using nlohmann::json;

namespace {

// The library's messages start with "[json.exception.parse_error.101] "; the user needs the rest.
std::string without_exception_tag(const char* what) {
    std::string s = what;
    if (s.starts_with("[json.exception.")) {
        const std::size_t close = s.find("] ");
        if (close != std::string::npos)
            s.erase(0, close + 2);
    }
    // The library quotes the input near the error, which in a damaged file can be any bytes;
    // keep the message printable.
    for (char& c : s)
        if (c < 32 || c > 126)
            c = '?';
    return s;
}

// Tracks the keys of the objects being parsed so that a repeated key is caught at parse time,
// the only moment it can be seen.
class DuplicateKeyFinder {
  public:
    bool operator()(int depth, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start:
            case json::parse_event_t::array_start:
                frames_.push_back(
                    {child_name(depth), event == json::parse_event_t::array_start, {}});
                break;
            case json::parse_event_t::object_end:
            case json::parse_event_t::array_end:
                frames_.pop_back();
                break;
            case json::parse_event_t::key: {
                last_key_ = parsed.get<std::string>();
                if (!frames_.back().keys.insert(last_key_).second && !duplicate_)
                    duplicate_ = {frames_.back().name, last_key_};
                break;
            }
            case json::parse_event_t::value:
                break;
        }
        return true;
    }

    // (name of the containing object, "" for the top level; the repeated key), if any.
    const std::optional<std::pair<std::string, std::string>>& duplicate() const {
        return duplicate_;
    }

  private:
    struct Frame {
        std::string name;
        bool array = false;
        std::set<std::string> keys;
    };

    std::string child_name(int depth) const {
        if (depth == 0 || frames_.empty())
            return {};
        if (frames_.back().array)
            return frames_.back().name + "[]";
        return last_key_;
    }

    std::vector<Frame> frames_;
    std::string last_key_;
    std::optional<std::pair<std::string, std::string>> duplicate_;
};

}  // namespace

json parse_json_object(std::string_view text, const std::string& source, std::string_view what) {
    DuplicateKeyFinder finder;
    json value;
    try {
        // The callback is copied into the parser; std::ref keeps the duplicate it finds here.
        value = json::parse(text.begin(), text.end(), std::ref(finder));
    } catch (const json::exception& e) {
        throw InputError(
            str(source, ": ", what, " is not valid JSON: ", without_exception_tag(e.what())),
            source);
    }
    if (const auto& dup = finder.duplicate()) {
        const std::string where = dup->first.empty() ? std::string("the top-level object")
                                                     : str("object '", dup->first, "'");
        throw InputError(
            str(source, ": ", what, ": key '", dup->second, "' appears twice in ", where), source);
    }
    if (!value.is_object())
        throw InputError(
            str(source, ": ", what, " is ", json_kind(value), ", expected a JSON object"), source);
    return value;
}

std::string json_kind(const json& value) {
    // Long values are cut so that a message stays one readable line.
    std::string text = value.dump();
    if (text.size() > 40)
        text = text.substr(0, 37) + "...";
    switch (value.type()) {
        case json::value_t::null:
            return "null";
        case json::value_t::boolean:
            return "a boolean " + text;
        case json::value_t::string:
            return "a string " + text;
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float:
            return "a number " + text;
        case json::value_t::array:
            return "an array " + text;
        case json::value_t::object:
            return "an object";
        case json::value_t::binary:
        case json::value_t::discarded:
            break;
    }
    return std::string(value.type_name());
}

}  // namespace ssmscope::model
