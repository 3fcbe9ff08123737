// The few UTF-8 operations the tokenizers need, on std::string_view byte offsets.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ssmscope::model {

// Throws InputError naming the byte offset of the first ill-formed sequence (a stray
// continuation byte, an overlong form, a surrogate, a cut-off character). `what` names the text.
void require_utf8(std::string_view text, std::string_view what);

// The code point that starts at byte `i` of valid UTF-8 text; advances `i` past it.
char32_t next_code_point(std::string_view text, std::size_t& i);

// The code point that ends at byte `i` of valid UTF-8 text; moves `i` back to its start.
char32_t previous_code_point(std::string_view text, std::size_t& i);

// Appends the UTF-8 bytes of `c`.
void append_utf8(std::string& out, char32_t c);

}  // namespace ssmscope::model
