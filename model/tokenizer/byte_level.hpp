// GPT-2's reversible map between bytes and printable characters, which byte-level BPE
// vocabularies are written in: printable Latin-1 bytes stand for themselves and the other 68
// (controls, space, soft hyphen, ...) for U+0100 onwards, so that a space is "Ġ" (U+0120) and a
// newline "Ċ" (U+010A).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssmscope::model {

// The character that stands for byte `b`.
char32_t byte_to_symbol(std::uint8_t b);

// The UTF-8 text of the symbols of the bytes of `bytes`, one symbol per byte.
std::string bytes_to_symbols(std::string_view bytes);

// The bytes that the symbols in `symbols` (valid UTF-8) stand for; none when a character is
// not one of the 256 symbols.
std::optional<std::string> symbols_to_bytes(std::string_view symbols);

}  // namespace ssmscope::model
