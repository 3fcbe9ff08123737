#include "model/config/json_fields.hpp"

#include <cmath>
#include <limits>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

JsonFields::JsonFields(const nlohmann::json& object, std::string source, std::string prefix)
    : object_(object), source_(std::move(source)), prefix_(std::move(prefix)) {
    if (!object_.is_object() && !object_.is_null()) {
        throw InputError(
            str(source_, ": ", prefix_.empty() ? "the file" : "field '" + prefix_ + "'",
                " must be a JSON object"),
            source_);
    }
}

std::string JsonFields::where(const std::string& key) const {
    return str(source_, ": field '", prefix_.empty() ? key : prefix_ + "." + key, "'");
}

void JsonFields::fail(const std::string& key, const std::string& expected) const {
    const nlohmann::json* value = find(key);
    throw InputError(str(where(key), ": expected ", expected,
                         value ? ", got " + value->dump() : std::string(", but it is missing")),
                     source_);
}

const nlohmann::json* JsonFields::find(const std::string& key) const {
    if (!object_.is_object())
        return nullptr;
    const auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
}

bool JsonFields::has(const std::string& key) const {
    return find(key) != nullptr;
}

std::optional<std::int64_t> JsonFields::optional_int(const std::string& key, bool strict) const {
    const nlohmann::json* v = find(key);
    if (!v)
        return std::nullopt;
    if (!v->is_number_integer()) {
        if (!strict)
            return std::nullopt;
        fail(key, "an integer");
    }
    return v->get<std::int64_t>();
}

std::int64_t JsonFields::positive_int(const std::string& key) const {
    const auto v = optional_int(key);
    if (!v || *v <= 0)
        fail(key, "a positive integer");
    return *v;
}

std::int64_t JsonFields::positive_int(const std::string& key, std::int64_t fallback) const {
    return has(key) ? positive_int(key) : fallback;
}

double JsonFields::number(const std::string& key, double fallback) const {
    const nlohmann::json* v = find(key);
    if (!v)
        return fallback;
    if (!v->is_number())
        fail(key, "a number");
    return v->get<double>();
}

bool JsonFields::boolean(const std::string& key, bool fallback) const {
    const nlohmann::json* v = find(key);
    if (!v)
        return fallback;
    if (!v->is_boolean())
        fail(key, "true or false");
    return v->get<bool>();
}

std::string JsonFields::string(const std::string& key, const std::string& fallback) const {
    const nlohmann::json* v = find(key);
    if (!v)
        return fallback;
    if (!v->is_string())
        fail(key, "a string");
    return v->get<std::string>();
}

std::pair<double, double> JsonFields::range(const std::string& key,
                                            std::pair<double, double> fallback) const {
    const nlohmann::json* v = find(key);
    if (!v)
        return fallback;
    const auto element = [&](const nlohmann::json& e) {
        if (e.is_number())
            return e.get<double>();
        if (e.is_string()) {
            const auto s = e.get<std::string>();
            if (s == "inf" || s == "Infinity")
                return std::numeric_limits<double>::infinity();
            if (s == "-inf" || s == "-Infinity")
                return -std::numeric_limits<double>::infinity();
        }
        fail(key, "an array [low, high] of two numbers");
    };
    if (!v->is_array() || v->size() != 2)
        fail(key, "an array [low, high] of two numbers");
    const std::pair<double, double> r{element((*v)[0]), element((*v)[1])};
    if (std::isnan(r.first) || std::isnan(r.second) || r.first > r.second) {
        fail(key, "low <= high");
    }
    return r;
}

JsonFields JsonFields::object(const std::string& key) const {
    const nlohmann::json* v = find(key);
    if (v && !v->is_object())
        fail(key, "a JSON object");
    return JsonFields(v ? *v : nlohmann::json::object(), source_,
                      prefix_.empty() ? key : prefix_ + "." + key);
}

}  // namespace ssmscope::model
