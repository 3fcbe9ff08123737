#include "model/tokenizer/byte_level.hpp"

#include <array>

#include "model/tokenizer/utf8.hpp"

namespace ssmscope::model {

namespace {

// The symbols run up to U+0100 + 67 (the 68 remapped bytes), so one array covers the inverse.
constexpr char32_t symbol_limit = 0x100 + 68;

// GPT-2's bytes_to_unicode(): bytes '!'..'~', 0xA1..0xAC and 0xAE..0xFF map to themselves,
// every other byte, in increasing order, to the next character from U+0100.
constexpr std::array<char32_t, 256> make_byte_table() {
    std::array<char32_t, 256> table{};
    char32_t next = 0x100;
    for (unsigned b = 0; b < 256; ++b) {
        const bool printable =
            (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        table[b] = printable ? static_cast<char32_t>(b) : next++;
    }
    return table;
}

constexpr std::array<char32_t, 256> byte_table = make_byte_table();

constexpr std::array<int, symbol_limit> make_symbol_table() {
    std::array<int, symbol_limit> table{};
    for (int& entry : table)
        entry = -1;
    for (unsigned b = 0; b < 256; ++b)
        table[byte_table[b]] = static_cast<int>(b);
    return table;
}

constexpr std::array<int, symbol_limit> symbol_table = make_symbol_table();

}  // namespace

char32_t byte_to_symbol(std::uint8_t b) {
    return byte_table[b];
}

std::string bytes_to_symbols(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char byte : bytes)
        append_utf8(out, byte_table[static_cast<std::uint8_t>(byte)]);
    return out;
}

std::optional<std::string> symbols_to_bytes(std::string_view symbols) {
    std::string out;
    out.reserve(symbols.size());
    std::size_t i = 0;
    while (i < symbols.size()) {
        const char32_t c = next_code_point(symbols, i);
        if (c >= symbol_limit || symbol_table[c] < 0)
            return std::nullopt;
        out += static_cast<char>(static_cast<std::uint8_t>(symbol_table[c]));
    }
    return out;
}

}  // namespace ssmscope::model
