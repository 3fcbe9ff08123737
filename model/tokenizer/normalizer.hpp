// The text normalizer of a tokenizer.json: a chain of steps applied in order. Unicode normal
// forms (NFC for GPT-NeoX, run by ICU), and the two steps of SentencePiece-style tokenizers
// (Llama): Prepend, which puts "▁" before the text, and Replace, which writes every space as "▁".
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ssmscope::model {

enum class NormalForm { nfc, nfd, nfkc, nfkd };

// "Prepend": `text` before every non-empty piece, as HF does (an empty piece stays empty).
struct Prepend {
    std::string text;
};

// "Replace" with a String pattern: every occurrence of `from`, left to right, becomes `to`.
struct Replace {
    std::string from;
    std::string to;
};

class Normalizer {
  public:
    using Step = std::variant<NormalForm, Prepend, Replace>;

    // The steps applied in order; none is the identity.
    explicit Normalizer(std::vector<Step> steps = {});

    // `text` (valid UTF-8) through every step of the chain.
    std::string apply(std::string_view text) const;

    bool is_identity() const { return steps_.empty(); }

  private:
    std::vector<Step> steps_;
};

// Every occurrence of `from` in `text` (non-empty `from`) replaced by `to`.
std::string replace_all(std::string_view text, std::string_view from, std::string_view to);

}  // namespace ssmscope::model
