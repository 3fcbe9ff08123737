// The decoder of a tokenizer.json: turns the token strings of some ids back into text, by a
// chain of steps over the list of token strings, as HF tokenizers' decoders do. ByteLevel for
// GPT-2-style vocabularies; for SentencePiece-style ones (Llama, Mistral) Replace("▁" -> " "),
// ByteFallback (<0x41> tokens to their bytes), Fuse, Strip and Metaspace.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace ssmscope::model {

class Decoder {
  public:
    // "ByteLevel": every token's GPT-2 byte symbols to their bytes (a token with another
    // character as it is), all fused into one.
    struct ByteLevel {};
    // "Replace" with a String pattern, in every token.
    struct Replace {
        std::string from, to;
    };
    // "ByteFallback": runs of <0xXX> tokens become the bytes they name, as one token.
    struct ByteFallback {};
    // "Fuse": all tokens into one.
    struct Fuse {};
    // "Strip": up to `start` copies of `content` off the front of every token, `stop` off the
    // back.
    struct Strip {
        std::string content;
        std::size_t start = 0, stop = 0;
    };
    // "Metaspace": `replacement` becomes a space, except in the first token, where it is dropped
    // (the space the pre-tokenizer put in front) unless `prepend` is false (scheme "never").
    struct Metaspace {
        std::string replacement;
        bool prepend = true;
    };
    using Step = std::variant<ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace>;

    explicit Decoder(std::vector<Step> steps = {});

    // The text of `tokens`. `continuation`: the tokens follow earlier ones of the same text, so
    // what the chain does only at the start of a text (Metaspace's first token, Strip after a
    // Fuse) is not done; decoding a sequence in slices, the first plain and the others as
    // continuations, then gives the text of the whole. Where HF writes U+FFFD for bytes that
    // are not valid UTF-8 (ByteFallback, ByteLevel), the bytes are kept, for the same reason.
    std::string decode(std::vector<std::string> tokens, bool continuation = false) const;

  private:
    std::vector<Step> steps_;
};

}  // namespace ssmscope::model
