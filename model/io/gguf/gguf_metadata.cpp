#include "model/io/gguf/gguf_metadata.hpp"

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

void meta_fail(const GgufFile& f, std::string_view key, const std::string& what) {
    const GgufValue* v = f.find(key);
    throw InputError(str(f.path().string(), ": metadata '", key, "': expected ", what, ", found ",
                         v ? v->describe() : std::string("nothing (the key is missing)")),
                     f.path().string());
}

std::optional<std::uint64_t> meta_uint(const GgufFile& f, std::string_view key) {
    const GgufValue* v = f.find(key);
    if (!v)
        return std::nullopt;
    if (!v->is_integer() || (v->u == 0 && v->i < 0))
        meta_fail(f, key, "a non-negative integer");
    return v->u != 0 ? v->u : static_cast<std::uint64_t>(v->i);
}

std::uint64_t meta_positive(const GgufFile& f, std::string_view key) {
    if (const GgufValue* raw = f.find(key); !raw || !raw->is_integer())
        meta_fail(f, key, "a positive integer");
    const auto v = meta_uint(f, key);
    // Sizes go into int64 arithmetic downstream; 2^40 is far beyond any model.
    if (!v || *v == 0 || *v > (std::uint64_t{1} << 40))
        meta_fail(f, key, "a positive integer");
    return *v;
}

std::optional<double> meta_float(const GgufFile& f, std::string_view key) {
    const GgufValue* v = f.find(key);
    if (!v)
        return std::nullopt;
    if (v->type != GgufValueType::F32 && v->type != GgufValueType::F64)
        meta_fail(f, key, "a float32 or float64");
    return v->f;
}

std::optional<bool> meta_bool(const GgufFile& f, std::string_view key) {
    const GgufValue* v = f.find(key);
    if (!v)
        return std::nullopt;
    if (v->type != GgufValueType::Bool)
        meta_fail(f, key, "a bool");
    return v->u != 0;
}

std::optional<std::string> meta_string(const GgufFile& f, std::string_view key) {
    const GgufValue* v = f.find(key);
    if (!v)
        return std::nullopt;
    if (v->type != GgufValueType::String)
        meta_fail(f, key, "a string");
    return v->s;
}

}  // namespace ssmscope::model
