// The tokenizer interface: UTF-8 text to token ids and back, whatever the vocabulary.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ssmscope::model {

// Implementations are immutable once built: encode and decode may run on several threads at once.
class Tokenizer {
  public:
    virtual ~Tokenizer() = default;

    // Token ids of `utf8_text`. Throws InputError when the text is not valid UTF-8 and the
    // tokenizer needs characters rather than bytes.
    virtual std::vector<std::int64_t> encode(std::string_view utf8_text) const = 0;

    // The text of `ids`, special tokens included. Bytes that do not form valid UTF-8 (a
    // multi-byte character cut between tokens) are returned as they are, so that decoding the
    // first of consecutive slices with decode, the others with decode_continuation, and
    // concatenating gives the same bytes as decoding the whole. Throws InputError naming the
    // first id that is not in the vocabulary.
    virtual std::string decode(std::span<const std::int64_t> ids) const = 0;

    // The text of `ids` that follow earlier ids of the same text (a token streamed during
    // generation): what a decoder does only at the start of a text, such as dropping the space
    // a SentencePiece tokenizer put before the first word, is not done.
    virtual std::string decode_continuation(std::span<const std::int64_t> ids) const {
        return decode(ids);
    }

    // The largest id + 1: the number of rows an embedding table needs.
    virtual std::int64_t vocab_size() const = 0;

    // The end-of-text token, if the vocabulary has one.
    virtual std::optional<std::int64_t> eos_id() const = 0;

    // One line for reports, e.g. "BPE, 50277 tokens (tokenizer.json)".
    virtual std::string description() const = 0;
};

}  // namespace ssmscope::model
