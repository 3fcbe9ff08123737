#include "model/tokenizer/utf8.hpp"

#include <cstdint>

#include <unicode/utf8.h>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

namespace {

const std::uint8_t* bytes(std::string_view text) {
    return reinterpret_cast<const std::uint8_t*>(text.data());
}

}  // namespace

void require_utf8(std::string_view text, std::string_view what) {
    const std::uint8_t* s = bytes(text);
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const std::size_t start = i;
        UChar32 c;
        U8_NEXT(s, i, n, c);
        if (c < 0)
            throw InputError(str(
                what, " is not valid UTF-8 (ill-formed byte sequence at byte ", start, ")"));
    }
}

char32_t next_code_point(std::string_view text, std::size_t& i) {
    UChar32 c;
    U8_NEXT_UNSAFE(bytes(text), i, c);
    return static_cast<char32_t>(c);
}

char32_t previous_code_point(std::string_view text, std::size_t& i) {
    do
        --i;
    while (i > 0 && U8_IS_TRAIL(static_cast<std::uint8_t>(text[i])));
    std::size_t start = i;
    return next_code_point(text, start);
}

void append_utf8(std::string& out, char32_t c) {
    std::uint8_t buffer[U8_MAX_LENGTH];
    std::size_t length = 0;
    U8_APPEND_UNSAFE(buffer, length, static_cast<UChar32>(c));
    out.append(reinterpret_cast<const char*>(buffer), length);
}

}  // namespace ssmscope::model
