// Added tokens: strings such as "<|endoftext|>" that map straight to their ids and are cut out of
// the text before normalization and pre-tokenization can split them. Matching follows HF
// tokenizers: leftmost match first, the longest token among those starting there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssmscope::model {

struct AddedToken {
    std::string content;
    std::int64_t id = 0;
    bool special = false;      // a control token (end of text, padding) rather than a word
    bool normalized = false;   // matched in normalized text rather than in the raw input
    bool lstrip = false;       // absorbs the whitespace before it
    bool rstrip = false;       // absorbs the whitespace after it
    bool single_word = false;  // matches only where no word character touches it
};

// A piece of the text: an added token (with its id) or text to tokenize normally.
struct TextPiece {
    std::string_view text;
    std::optional<std::int64_t> id;
};

class AddedTokenMatcher {
  public:
    // Looks for the contents of `tokens` as they are.
    explicit AddedTokenMatcher(std::vector<AddedToken> tokens = {});

    // `text` (valid UTF-8) cut into added tokens and the text between them; the pieces cover it.
    std::vector<TextPiece> split(std::string_view text) const;

    bool empty() const { return tokens_.empty(); }

  private:
    std::vector<AddedToken> tokens_;  // longest first, so that the first hit is the longest
    std::vector<bool> first_bytes_;   // which bytes start some token: skips most positions fast
};

}  // namespace ssmscope::model
