#include "model/tokenizer/json_node.hpp"

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

namespace {

const nlohmann::json null_value;

// What a value is, for "expected a string, found an array".
std::string kind(const nlohmann::json& v) {
    switch (v.type()) {
        case nlohmann::json::value_t::null:
            return "null";
        case nlohmann::json::value_t::object:
            return "an object";
        case nlohmann::json::value_t::array:
            return "an array";
        case nlohmann::json::value_t::string:
            return str("the string ", quoted(v.get_ref<const std::string&>()));
        case nlohmann::json::value_t::boolean:
            return v.get<bool>() ? "true" : "false";
        default:
            return str("the number ", v.dump());
    }
}

}  // namespace

std::string quoted(std::string_view s) {
    // nlohmann replaces bytes that are not UTF-8 rather than throwing: messages must not fail.
    return nlohmann::json(std::string(s))
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

JsonNode::JsonNode(const nlohmann::json& document, std::string file)
    : JsonNode(&document, {}, std::move(file), false) {}

JsonNode::JsonNode(const nlohmann::json* value, std::string path, std::string file, bool absent)
    : value_(value), path_(std::move(path)), file_(std::move(file)), absent_(absent) {}

std::string JsonNode::where() const {
    return str(file_, ": ", path_.empty() ? "top level" : path_, ": ");
}

void JsonNode::fail(std::string_view what) const {
    throw InputError(str(where(), what), file_);
}

void JsonNode::expected(std::string_view what) const {
    if (absent_)
        fail(str("missing (expected ", what, ")"));
    fail(str("expected ", what, ", found ", kind(*value_)));
}

JsonNode JsonNode::operator[](std::string_view key) const {
    const std::string path = path_.empty() ? std::string(key) : str(path_, ".", key);
    if (!value_->is_object())
        expected("an object");
    const auto it = value_->find(std::string(key));
    if (it == value_->end())
        return JsonNode(&null_value, path, file_, true);
    return JsonNode(&*it, path, file_, false);
}

JsonNode JsonNode::operator[](std::size_t index) const {
    if (!value_->is_array())
        expected("an array");
    return JsonNode(&(*value_)[index], str(path_, "[", index, "]"), file_, false);
}

JsonNode JsonNode::entry(const std::string& key) const {
    const auto& members = object();
    const auto it = members.find(key);
    const std::string path = str(path_, "[", quoted(key), "]");
    if (it == members.end())
        return JsonNode(&null_value, path, file_, true);
    return JsonNode(&it->second, path, file_, false);
}

std::string JsonNode::string() const {
    if (!value_->is_string())
        expected("a string");
    return value_->get<std::string>();
}

std::int64_t JsonNode::integer() const {
    if (value_->is_number_unsigned()) {
        const auto v = value_->get<std::uint64_t>();
        if (v <= static_cast<std::uint64_t>(INT64_MAX))
            return static_cast<std::int64_t>(v);
    } else if (value_->is_number_integer()) {
        return value_->get<std::int64_t>();
    }
    expected("an integer");
}

bool JsonNode::boolean() const {
    if (!value_->is_boolean())
        expected("true or false");
    return value_->get<bool>();
}

bool JsonNode::boolean_or(bool fallback) const {
    return is_null() ? fallback : boolean();
}

std::size_t JsonNode::size() const {
    if (!value_->is_array())
        expected("an array");
    return value_->size();
}

const nlohmann::json::object_t& JsonNode::object() const {
    if (!value_->is_object())
        expected("an object");
    return value_->get_ref<const nlohmann::json::object_t&>();
}

}  // namespace ssmscope::model
