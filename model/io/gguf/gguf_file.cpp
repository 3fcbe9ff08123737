#include "model/io/gguf/gguf_file.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <numeric>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

namespace {

constexpr std::uint32_t kDefaultAlignment = 32;
constexpr std::uint32_t kMaxDims = 4;  // GGML_MAX_DIMS

// The least number of bytes one item of the type occupies, which bounds how many items the rest
// of the file can hold before anything is allocated.
std::uint64_t min_item_size(GgufValueType t) {
    switch (t) {
        case GgufValueType::U8:
        case GgufValueType::I8:
        case GgufValueType::Bool:
            return 1;
        case GgufValueType::U16:
        case GgufValueType::I16:
            return 2;
        case GgufValueType::U32:
        case GgufValueType::I32:
        case GgufValueType::F32:
            return 4;
        case GgufValueType::U64:
        case GgufValueType::I64:
        case GgufValueType::F64:
        case GgufValueType::String:  // its length
            return 8;
        case GgufValueType::Array:  // item type and count
            return 12;
    }
    return 1;
}

bool known_type(std::uint32_t t) {
    return t <= static_cast<std::uint32_t>(GgufValueType::F64);
}

template <typename T>
T load(const std::byte* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Decodes a scalar of type t at p, which holds at least min_item_size(t) bytes (not a string).
GgufValue scalar_at(GgufValueType t, const std::byte* p) {
    GgufValue v;
    v.type = t;
    switch (t) {
        case GgufValueType::U8:
            v.u = load<std::uint8_t>(p);
            break;
        case GgufValueType::I8:
            v.i = load<std::int8_t>(p);
            break;
        case GgufValueType::U16:
            v.u = load<std::uint16_t>(p);
            break;
        case GgufValueType::I16:
            v.i = load<std::int16_t>(p);
            break;
        case GgufValueType::U32:
            v.u = load<std::uint32_t>(p);
            break;
        case GgufValueType::I32:
            v.i = load<std::int32_t>(p);
            break;
        case GgufValueType::U64:
            v.u = load<std::uint64_t>(p);
            break;
        case GgufValueType::I64:
            v.i = load<std::int64_t>(p);
            break;
        case GgufValueType::F32:
            v.f = load<float>(p);
            break;
        case GgufValueType::F64:
            v.f = load<double>(p);
            break;
        case GgufValueType::Bool:
            v.u = load<std::uint8_t>(p);
            break;
        case GgufValueType::String:
        case GgufValueType::Array:
            break;
    }
    return v;
}

// A cursor over the header that refuses to read past the end of the file, naming what it was
// reading and where.
class Reader {
  public:
    Reader(std::span<const std::byte> bytes, std::string file)
        : bytes_(bytes), file_(std::move(file)) {}

    std::uint64_t pos() const { return pos_; }
    std::uint64_t left() const { return bytes_.size() - pos_; }
    const std::string& file() const { return file_; }

    [[noreturn]] void fail(const std::string& field, const std::string& what) const {
        throw InputError(str(file_, ": ", field, ": ", what), file_);
    }

    void need(std::uint64_t n, const std::string& field, std::string_view what) const {
        if (n > left()) {
            fail(field, str(what, " needs ", n, " bytes at offset ", pos_, ", but the file has ",
                            left(), " left"));
        }
    }

    const std::byte* take(std::uint64_t n, const std::string& field, std::string_view what) {
        need(n, field, what);
        const std::byte* p = bytes_.data() + pos_;
        pos_ += n;
        return p;
    }

    template <typename T>
    T get(const std::string& field, std::string_view what) {
        return load<T>(take(sizeof(T), field, what));
    }

    std::string string(const std::string& field) {
        const auto n = get<std::uint64_t>(field, "the string length");
        if (n > left()) {
            fail(field, str("string length ", n, " runs past the end of the file (", left(),
                            " bytes left at offset ", pos_, ")"));
        }
        const std::byte* p = take(n, field, "the string");
        return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
    }

    // A count of items of at least `item_size` bytes each: no larger than the rest of the file
    // can hold.
    std::uint64_t count(const std::string& field, std::string_view what, std::uint64_t item_size) {
        const auto n = get<std::uint64_t>(field, what);
        if (n > left() / item_size) {
            fail(field, str(what, " ", n, " cannot fit in the ", left(),
                            " bytes left in the file (each takes at least ", item_size, ")"));
        }
        return n;
    }

    GgufValueType value_type(const std::string& field) {
        const auto t = get<std::uint32_t>(field, "the value type");
        if (!known_type(t))
            fail(field, str("value type ", t, ": expected 0 to 12 (uint8 ... float64)"));
        return static_cast<GgufValueType>(t);
    }

    GgufValue value(GgufValueType t, const std::string& field) {
        if (t == GgufValueType::String) {
            GgufValue v;
            v.type = t;
            v.s = string(field);
            return v;
        }
        if (t != GgufValueType::Array) {
            const std::byte* p = take(min_item_size(t), field, gguf_type_name(t));
            GgufValue v = scalar_at(t, p);
            if (t == GgufValueType::Bool && v.u > 1)
                fail(field, str("bool: expected 0 or 1, found ", v.u));
            return v;
        }
        GgufValue v;
        v.type = t;
        v.item_type = value_type(field + " (array item type)");
        if (v.item_type == GgufValueType::Array)
            fail(field, "an array of arrays: not supported (no llama.cpp model writes one)");
        const std::uint64_t size = min_item_size(v.item_type);
        v.count = count(field, "array count", size);
        if (v.item_type == GgufValueType::String) {
            v.strings.reserve(static_cast<std::size_t>(v.count));
            for (std::uint64_t k = 0; k < v.count; ++k) {
                // The item's name is built only for a message: a vocabulary has 10^5 of them.
                if (left() < 8 || load<std::uint64_t>(bytes_.data() + pos_) > left() - 8)
                    v.strings.push_back(string(str(field, "[", k, "]")));
                else
                    v.strings.push_back(string(field));
            }
        } else {
            const std::byte* p = take(v.count * size, field, "the array");
            v.raw = {p, static_cast<std::size_t>(v.count * size)};
            if (v.item_type == GgufValueType::Bool) {
                for (std::uint64_t k = 0; k < v.count; ++k) {
                    if (static_cast<std::uint8_t>(p[k]) > 1) {
                        fail(str(field, "[", k, "]"),
                             str("bool: expected 0 or 1, found ", static_cast<unsigned>(p[k])));
                    }
                }
            }
        }
        return v;
    }

  private:
    std::span<const std::byte> bytes_;
    std::string file_;
    std::uint64_t pos_ = 0;
};

std::string tensor_field(const std::string& name) {
    return str("tensor '", name, "'");
}

}  // namespace

std::string_view gguf_type_name(GgufValueType t) {
    switch (t) {
        case GgufValueType::U8:
            return "uint8";
        case GgufValueType::I8:
            return "int8";
        case GgufValueType::U16:
            return "uint16";
        case GgufValueType::I16:
            return "int16";
        case GgufValueType::U32:
            return "uint32";
        case GgufValueType::I32:
            return "int32";
        case GgufValueType::F32:
            return "float32";
        case GgufValueType::Bool:
            return "bool";
        case GgufValueType::String:
            return "string";
        case GgufValueType::Array:
            return "array";
        case GgufValueType::U64:
            return "uint64";
        case GgufValueType::I64:
            return "int64";
        case GgufValueType::F64:
            return "float64";
    }
    return "?";
}

bool GgufValue::is_integer() const {
    switch (type) {
        case GgufValueType::U8:
        case GgufValueType::I8:
        case GgufValueType::U16:
        case GgufValueType::I16:
        case GgufValueType::U32:
        case GgufValueType::I32:
        case GgufValueType::U64:
        case GgufValueType::I64:
            return true;
        default:
            return false;
    }
}

GgufValue GgufValue::item(std::uint64_t k) const {
    if (item_type == GgufValueType::String) {
        GgufValue v;
        v.type = GgufValueType::String;
        v.s = strings.at(static_cast<std::size_t>(k));
        return v;
    }
    return scalar_at(item_type, raw.data() + k * min_item_size(item_type));
}

std::string GgufValue::describe() const {
    switch (type) {
        case GgufValueType::String:
            return str("the string \"", s.substr(0, 40), s.size() > 40 ? "..." : "", "\"");
        case GgufValueType::Array:
            return str("an array of ", count, " ", gguf_type_name(item_type));
        case GgufValueType::F32:
        case GgufValueType::F64:
            return str("the ", gguf_type_name(type), " ", f);
        case GgufValueType::Bool:
            return str("the bool ", u ? "true" : "false");
        case GgufValueType::I8:
        case GgufValueType::I16:
        case GgufValueType::I32:
        case GgufValueType::I64:
            return str("the ", gguf_type_name(type), " ", i);
        default:
            return str("the ", gguf_type_name(type), " ", u);
    }
}

std::vector<std::int64_t> GgufTensorInfo::shape() const {
    std::vector<std::int64_t> out;
    for (std::uint32_t d = n_dims; d-- > 0;)
        out.push_back(ne[d]);
    return out;
}

GgufFile::GgufFile(std::filesystem::path path) : file_(std::move(path)) {
    Reader r(file_.bytes(), file_.path().string());
    const auto magic = r.get<std::uint32_t>("header", "the magic");
    if (magic != 0x46554747U)  // "GGUF" read little-endian
        r.fail("header", "expected the magic \"GGUF\" at offset 0");
    version_ = r.get<std::uint32_t>("header", "the version");
    if (version_ == 1) {
        r.fail("header",
               "GGUF version 1 is not supported (read: versions 2 and 3; convert the "
               "model again with a current llama.cpp)");
    }
    if (version_ != 2 && version_ != 3) {
        // A big-endian file's version 2 or 3 reads as 2 << 24 or 3 << 24 here.
        if (version_ == (2U << 24) || version_ == (3U << 24))
            r.fail("header", "a big-endian GGUF file: not supported (read: little-endian)");
        r.fail("header", str("version ", version_, ": expected 2 or 3"));
    }
    // Each tensor info takes at least a name length, n_dims, one dimension, type and offset;
    // each key-value pair at least a key length, a type and one byte.
    const std::uint64_t n_tensors = r.count("header", "tensor count", 8 + 4 + 8 + 4 + 8);
    const std::uint64_t n_kv = r.count("header", "metadata count", 8 + 4 + 1);

    for (std::uint64_t k = 0; k < n_kv; ++k) {
        std::string key = r.string(str("metadata key ", k));
        if (key.empty())
            r.fail(str("metadata key ", k), "an empty key");
        const std::string field = str("metadata '", key, "'");
        const GgufValueType t = r.value_type(field);
        GgufValue v = r.value(t, field);
        if (!kv_.emplace(std::move(key), std::move(v)).second)
            r.fail(field, "the key appears twice");
    }
    if (const GgufValue* a = find("general.alignment")) {
        if (a->type != GgufValueType::U32)
            r.fail("metadata 'general.alignment'", str("expected a uint32, found ", a->describe()));
        if (a->u == 0 || !std::has_single_bit(a->u)) {
            r.fail("metadata 'general.alignment'", str("expected a power of two, found ", a->u));
        }
        alignment_ = static_cast<std::uint32_t>(a->u);
    } else {
        alignment_ = kDefaultAlignment;
    }

    tensors_.reserve(static_cast<std::size_t>(n_tensors));
    for (std::uint64_t k = 0; k < n_tensors; ++k) {
        GgufTensorInfo t;
        t.name = r.string(str("tensor info ", k, " name"));
        const std::string field = tensor_field(t.name);
        if (t.name.empty())
            r.fail(str("tensor info ", k), "an empty name");
        t.n_dims = r.get<std::uint32_t>(field, "n_dims");
        if (t.n_dims < 1 || t.n_dims > kMaxDims)
            r.fail(field, str("n_dims: expected 1 to ", kMaxDims, ", found ", t.n_dims));
        std::int64_t numel = 1;
        for (std::uint32_t d = 0; d < t.n_dims; ++d) {
            const auto n = r.get<std::uint64_t>(field, "a dimension");
            if (n == 0 || n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                r.fail(field, str("dimension ", d, ": expected a positive size, found ", n));
            t.ne[d] = static_cast<std::int64_t>(n);
            if (numel > std::numeric_limits<std::int64_t>::max() / t.ne[d])
                r.fail(field, "the product of the dimensions overflows 64 bits");
            numel *= t.ne[d];
        }
        const auto type = r.get<std::uint32_t>(field, "the type");
        const GgmlTypeInfo* info = ggml_type_info(type);
        if (!info)
            r.fail(field, str("type ", type, ": not a ggml type"));
        if (!info->readable) {
            r.fail(field, str("type ", info->name,
                              " is not supported (read: ", readable_ggml_type_names(), ")"));
        }
        t.type = static_cast<GgmlType>(type);
        if (t.ne[0] % info->block_elems != 0) {
            r.fail(field, str("row length ", t.ne[0], " is not a multiple of ", info->name,
                              "'s block of ", info->block_elems, " values"));
        }
        const auto blocks = static_cast<std::uint64_t>(numel) / info->block_elems;
        if (blocks > std::numeric_limits<std::uint64_t>::max() / info->block_bytes)
            r.fail(field, "its size in bytes overflows 64 bits");
        t.nbytes = blocks * info->block_bytes;
        t.offset = r.get<std::uint64_t>(field, "the offset");
        if (t.offset % alignment_ != 0) {
            r.fail(field,
                   str("offset ", t.offset, " is not a multiple of the alignment ", alignment_));
        }
        if (!by_name_.emplace(t.name, tensors_.size()).second)
            r.fail(field, "the name appears twice");
        tensors_.push_back(std::move(t));
    }

    // The data section starts at the next multiple of the alignment.
    const std::uint64_t header_end = r.pos();
    const std::uint64_t pad = (alignment_ - header_end % alignment_) % alignment_;
    if (tensors_.empty()) {
        data_start_ = file_.size();
        return;
    }
    if (pad > r.left()) {
        r.fail("data section", str("starts at offset ", header_end + pad,
                                   ", past the end of the file (", file_.size(), " bytes)"));
    }
    data_start_ = header_end + pad;
    const std::uint64_t data_size = file_.size() - data_start_;
    for (const GgufTensorInfo& t : tensors_) {
        if (t.offset > data_size || t.nbytes > data_size - t.offset) {
            r.fail(tensor_field(t.name),
                   str("offset ", t.offset, " + ", t.nbytes, " bytes runs past the end of the ",
                       data_size, "-byte data section"));
        }
    }
    std::vector<std::size_t> order(tensors_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return tensors_[a].offset < tensors_[b].offset;
    });
    for (std::size_t k = 1; k < order.size(); ++k) {
        const GgufTensorInfo& a = tensors_[order[k - 1]];
        const GgufTensorInfo& b = tensors_[order[k]];
        if (b.offset < a.offset + a.nbytes) {
            r.fail(tensor_field(b.name),
                   str("bytes [", b.offset, ", ", b.offset + b.nbytes, ") overlap tensor '", a.name,
                       "' [", a.offset, ", ", a.offset + a.nbytes, ")"));
        }
    }
}

const GgufValue* GgufFile::find(std::string_view key) const {
    const auto it = kv_.find(key);
    return it == kv_.end() ? nullptr : &it->second;
}

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const {
    const auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &tensors_[it->second];
}

std::span<const std::byte> GgufFile::data(const GgufTensorInfo& t) const {
    return file_.bytes().subspan(static_cast<std::size_t>(data_start_ + t.offset),
                                 static_cast<std::size_t>(t.nbytes));
}

}  // namespace ssmscope::model
