#include "base/json_reader.hpp"

#include <cmath>
#include <limits>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope {

using Json = nlohmann::json;

namespace {

const Json null_value;
const Json empty_object = Json::object();

// Strings longer than this are cut in messages, so that a message stays one readable line.
constexpr std::size_t kShownStringBytes = 60;

std::string shown_string(const std::string& s) {
    if (s.size() <= kShownStringBytes)
        return quoted(s);
    std::size_t n = kShownStringBytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;  // not inside a UTF-8 sequence
    return quoted(s.substr(0, n)) + "...";
}

// The value as a 64-bit integer, if it is an integer that fits.
std::optional<std::int64_t> as_int64(const Json& v) {
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return static_cast<std::int64_t>(u);
        return std::nullopt;
    }
    if (v.is_number_integer())
        return v.get<std::int64_t>();
    return std::nullopt;
}

}  // namespace

std::string quoted(std::string_view s) {
    // nlohmann replaces bytes that are not UTF-8 rather than throwing: messages must not fail.
    return Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string quoted(const std::string& s) {
    return quoted(std::string_view(s));
}

std::string quoted(const char* s) {
    return quoted(std::string_view(s));
}

std::string json_kind(const Json& v) {
    switch (v.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::object:
            return "an object";
        case Json::value_t::array:
            if (v.empty())
                return "an empty array";
            return str("an array of ", v.size(), v.size() == 1 ? " element" : " elements");
        case Json::value_t::string:
            return str("the string ", shown_string(v.get_ref<const std::string&>()));
        case Json::value_t::boolean:
            return v.get<bool>() ? "true" : "false";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
        case Json::value_t::number_float:
            return str("the number ", v.dump());
        case Json::value_t::binary:
        case Json::value_t::discarded:
            break;
    }
    return std::string(v.type_name());
}

JsonNode::JsonNode(const Json& document, std::string file, std::string root)
    : JsonNode(&document, std::move(root), std::move(file), false) {}

JsonNode::JsonNode(const Json* value, std::string path, std::string file, bool absent)
    : value_(value), path_(std::move(path)), file_(std::move(file)), absent_(absent) {}

JsonNode JsonNode::child(const Json* value, std::string path) const {
    return value ? JsonNode(value, std::move(path), file_, false)
                 : JsonNode(&null_value, std::move(path), file_, true);
}

void JsonNode::fail(std::string_view what) const {
    throw InputError(str(file_, ": ", path_.empty() ? "top level" : path_, ": ", what), file_);
}

void JsonNode::expected(std::string_view what) const {
    if (absent_)
        fail(str("missing (expected ", what, ")"));
    fail(str("expected ", what, ", found ", json_kind(*value_)));
}

JsonNode JsonNode::operator[](std::string_view key) const {
    if (!value_->is_object())
        expected("an object");
    const auto it = value_->find(std::string(key));
    return child(it == value_->end() ? nullptr : &*it,
                 path_.empty() ? std::string(key) : str(path_, ".", key));
}

JsonNode JsonNode::operator[](std::size_t index) const {
    if (!value_->is_array())
        expected("an array");
    return child(index < value_->size() ? &(*value_)[index] : nullptr, str(path_, "[", index, "]"));
}

JsonNode JsonNode::entry(const std::string& key) const {
    if (!value_->is_object())
        expected("an object");
    const auto it = value_->find(key);
    return child(it == value_->end() ? nullptr : &*it, str(path_, "[", quoted(key), "]"));
}

JsonNode JsonNode::object_or_empty() const {
    if (is_null())
        return JsonNode(&empty_object, path_, file_, false);
    if (!value_->is_object())
        expected("an object");
    return *this;
}

std::string JsonNode::string() const {
    if (!value_->is_string())
        expected("a string");
    return value_->get<std::string>();
}

std::int64_t JsonNode::integer() const {
    const auto v = as_int64(*value_);
    if (!v)
        expected("an integer");
    return *v;
}

std::int64_t JsonNode::positive_integer() const {
    const auto v = as_int64(*value_);
    if (!v || *v <= 0)
        expected("a positive integer");
    return *v;
}

double JsonNode::number() const {
    if (!value_->is_number())
        expected("a number");
    return value_->get<double>();
}

bool JsonNode::boolean() const {
    if (!value_->is_boolean())
        expected("true or false");
    return value_->get<bool>();
}

std::size_t JsonNode::size() const {
    if (!value_->is_array())
        expected("an array");
    return value_->size();
}

const Json::object_t& JsonNode::object() const {
    if (!value_->is_object())
        expected("an object");
    return value_->get_ref<const Json::object_t&>();
}

std::string JsonNode::string_or(const std::string& fallback) const {
    return is_null() ? fallback : string();
}

std::int64_t JsonNode::positive_integer_or(std::int64_t fallback) const {
    return is_null() ? fallback : positive_integer();
}

double JsonNode::number_or(double fallback) const {
    return is_null() ? fallback : number();
}

bool JsonNode::boolean_or(bool fallback) const {
    return is_null() ? fallback : boolean();
}

std::optional<std::int64_t> JsonNode::optional_integer(bool strict) const {
    if (is_null())
        return std::nullopt;
    const auto v = as_int64(*value_);
    if (!v && strict)
        expected("an integer");
    return v;
}

std::pair<double, double> JsonNode::range_or(std::pair<double, double> fallback) const {
    if (is_null())
        return fallback;
    constexpr std::string_view what = "an array [low, high] of two numbers";
    if (!value_->is_array() || value_->size() != 2)
        expected(what);
    const auto bound = [&](std::size_t i) {
        const JsonNode e = (*this)[i];
        if (e.value_->is_number())
            return e.value_->get<double>();
        const double inf = std::numeric_limits<double>::infinity();
        if (e.value_->is_string()) {
            const auto& s = e.value_->get_ref<const std::string&>();
            if (s == "inf" || s == "Infinity")
                return inf;
            if (s == "-inf" || s == "-Infinity")
                return -inf;
        }
        e.expected("a number (or \"inf\", \"Infinity\", \"-inf\", \"-Infinity\")");
    };
    const std::pair<double, double> r{bound(0), bound(1)};
    if (!(r.first <= r.second))
        fail(str("expected low <= high, found [", r.first, ", ", r.second, "]"));
    return r;
}

}  // namespace ssmscope
