#include "model/io/dtype.hpp"

#include <array>
#include <string>

namespace ssmscope::model {

namespace {

struct DTypeRow {
    DType dtype;
    std::string_view name;
    std::size_t size;
    bool floating;
};

constexpr std::array<DTypeRow, 10> kTable{{
    {DType::F64, "F64", 8, true},
    {DType::F32, "F32", 4, true},
    {DType::F16, "F16", 2, true},
    {DType::BF16, "BF16", 2, true},
    {DType::I64, "I64", 8, false},
    {DType::I32, "I32", 4, false},
    {DType::I16, "I16", 2, false},
    {DType::I8, "I8", 1, false},
    {DType::U8, "U8", 1, false},
    {DType::Bool, "BOOL", 1, false},
}};

// The table is indexed by the enumerator, so its order must follow the enum's.
constexpr bool table_follows_enum() {
    for (std::size_t i = 0; i < kTable.size(); ++i)
        if (static_cast<std::size_t>(kTable[i].dtype) != i)
            return false;
    return true;
}
static_assert(table_follows_enum());

const DTypeRow& row(DType t) {
    return kTable.at(static_cast<std::size_t>(t));
}

}  // namespace

std::size_t dtype_size(DType t) {
    return row(t).size;
}

std::string_view dtype_name(DType t) {
    return row(t).name;
}

std::optional<DType> parse_dtype(std::string_view name) {
    for (const DTypeRow& r : kTable)
        if (r.name == name)
            return r.dtype;
    return std::nullopt;
}

bool is_floating(DType t) {
    return row(t).floating;
}

std::string_view known_dtype_names() {
    static const std::string names = [] {
        std::string s;
        for (const DTypeRow& r : kTable)
            s += (s.empty() ? "" : ", ") + std::string(r.name);
        return s;
    }();
    return names;
}

}  // namespace ssmscope::model
