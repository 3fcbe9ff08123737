#include "base/json_parse.hpp"

#include <functional>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/json_reader.hpp"
#include "base/str.hpp"

namespace ssmscope {

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

// A key as a step of a path: ".name" for a plain identifier, ["any key"] otherwise, so that the
// path of a duplicate reads like the paths of JsonNode.
std::string key_step(const std::string& path, const std::string& key) {
    bool plain = !key.empty() && !(key[0] >= '0' && key[0] <= '9');
    for (const char c : key)
        plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '_');
    if (!plain)
        return str(path, "[", quoted(key), "]");
    return path.empty() ? key : str(path, ".", key);
}

// Tracks the keys of the objects being parsed so that a repeated key is caught at parse time,
// the only moment it can be seen.
class DuplicateKeyFinder {
  public:
    explicit DuplicateKeyFinder(std::string root) : root_(std::move(root)) {}

    bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start:
            case json::parse_event_t::array_start: {
                Frame frame;
                frame.path = next_path();
                frame.array = event == json::parse_event_t::array_start;
                frames_.push_back(std::move(frame));
                break;
            }
            case json::parse_event_t::object_end:
            case json::parse_event_t::array_end:
                frames_.pop_back();
                break;
            case json::parse_event_t::key: {
                Frame& frame = frames_.back();
                frame.key = parsed.get<std::string>();
                if (!frame.keys.insert(frame.key).second && !duplicate_)
                    duplicate_ = {frame.path, frame.key};
                break;
            }
            case json::parse_event_t::value:
                if (!frames_.empty() && frames_.back().array)
                    ++frames_.back().elements;
                break;
        }
        return true;
    }

    // (path of the containing object, "" for the root when it has no name; the repeated key).
    const std::optional<std::pair<std::string, std::string>>& duplicate() const {
        return duplicate_;
    }

  private:
    struct Frame {
        std::string path;
        bool array = false;
        std::size_t elements = 0;  // of an array, so far
        std::string key;           // of an object, the last one read
        std::set<std::string> keys;
    };

    // The path of the object or array that starts now.
    std::string next_path() {
        if (frames_.empty())
            return root_;
        Frame& parent = frames_.back();
        if (parent.array)
            return str(parent.path, "[", parent.elements++, "]");
        return key_step(parent.path, parent.key);
    }

    std::string root_;
    std::vector<Frame> frames_;
    std::optional<std::pair<std::string, std::string>> duplicate_;
};

[[noreturn]] void not_json(const json::exception& e, const std::string& file,
                           const std::string& root) {
    throw InputError(str(file, ": ", root.empty() ? std::string() : root + ": ",
                         "not valid JSON: ", without_exception_tag(e.what())),
                     file);
}

}  // namespace

json parse_json(std::string_view text, const std::string& file, const std::string& root) {
    try {
        return json::parse(text.begin(), text.end());
    } catch (const json::exception& e) {
        // parse_error, and out_of_range for a number beyond double.
        not_json(e, file, root);
    }
}

json parse_json_object(std::string_view text, const std::string& file, const std::string& root) {
    DuplicateKeyFinder finder(root);
    json value;
    try {
        // The callback is copied into the parser; std::ref keeps the duplicate it finds here.
        value = json::parse(text.begin(), text.end(), std::ref(finder));
    } catch (const json::exception& e) {
        not_json(e, file, root);
    }
    if (const auto& dup = finder.duplicate())
        JsonNode(value, file, dup->first).fail(str("key ", quoted(dup->second), " appears twice"));
    if (!value.is_object())
        JsonNode(value, file, root).expected("an object");
    return value;
}

}  // namespace ssmscope
