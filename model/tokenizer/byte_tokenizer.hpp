// The built-in tokenizer for checkpoints that ship none: one token per UTF-8 byte.
#pragma once

#include <memory>
#include <string_view>

#include "model/tokenizer/tokenizer.hpp"

namespace ssmscope::model {

// The text "<|endoftext|>", which both tokenizers treat as the end-of-text token.
inline constexpr std::string_view endoftext = "<|endoftext|>";

// Ids 0..255 are the bytes of the text; 256 is <|endoftext|>, the EOS, which encode also
// produces where the text contains it literally. vocab_size() is 257.
std::unique_ptr<Tokenizer> make_byte_tokenizer();

}  // namespace ssmscope::model
