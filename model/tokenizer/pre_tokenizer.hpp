// The pre-tokenizer of a tokenizer.json: cuts normalized text into the pieces ("words") that BPE
// tokenizes one at a time. A chain of steps, each applied to every piece the previous one left,
// as HF tokenizers' Sequence does.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/tokenizer/regex_split.hpp"

namespace ssmscope::model {

// GPT-2's pattern, which the ByteLevel pre-tokenizer splits with: contractions, letter runs,
// digit runs and runs of other symbols, each with an optional leading space, and whitespace runs
// that leave their last space to the word after them.
inline constexpr std::string_view gpt2_split_pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class PreTokenizer {
  public:
    // "Split": cut every piece on a pattern.
    struct Split {
        std::shared_ptr<const RegexSplitter> pattern;
        SplitBehavior behavior = SplitBehavior::isolated;
        bool invert = false;
    };
    // "ByteLevel": optionally prefix a space, optionally cut with gpt2_split_pattern, then write
    // every piece's bytes as GPT-2 byte symbols (byte_level.hpp).
    struct ByteLevel {
        bool add_prefix_space = false;
        bool use_regex = true;
    };
    // "Metaspace" (SentencePiece-style tokenizers): every space becomes `replacement` ("▁"), a
    // piece gets one in front unless it starts with one (`first`: only the piece at the start
    // of the text, not one after an added token), and with `split` the pieces are cut before
    // every replacement, which stays with the word after it.
    enum class PrependScheme { first, always, never };
    struct Metaspace {
        std::string replacement = "\u2581";
        PrependScheme prepend = PrependScheme::always;
        std::shared_ptr<const RegexSplitter> splitter;  // on `replacement`; null: no split
    };
    using Step = std::variant<Split, ByteLevel, Metaspace>;

    explicit PreTokenizer(std::vector<Step> steps = {});

    // The pieces of `text` (valid UTF-8); without steps, `text` itself (if not empty).
    // `at_text_start`: `text` begins the input, rather than following an added token.
    std::vector<std::string> apply(std::string_view text, bool at_text_start = true) const;

    // Whether a ByteLevel step turns the pieces into byte symbols.
    bool is_byte_level() const;

  private:
    std::vector<Step> steps_;
};

// The compiled gpt2_split_pattern, shared.
std::shared_ptr<const RegexSplitter> gpt2_splitter();

}  // namespace ssmscope::model
