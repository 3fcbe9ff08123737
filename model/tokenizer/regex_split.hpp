// Splitting text on the matches of a regular expression, with the ways of keeping the matched
// parts that Hugging Face tokenizers' Split pre-tokenizer offers. ICU runs the expressions: they
// need Unicode properties (\p{L}) and lookahead, which std::regex lacks.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include <unicode/uversion.h>

U_NAMESPACE_BEGIN
class RegexPattern;
U_NAMESPACE_END

namespace ssmscope::model {

// What becomes of a matched part (HF's SplitDelimiterBehavior).
enum class SplitBehavior {
    removed,               // dropped
    isolated,              // a piece of its own
    merged_with_previous,  // appended to the piece before it
    merged_with_next,      // prepended to the piece after it
    contiguous,            // consecutive matches form one piece
};

// A compiled expression; const and shareable between threads (each split has its own matcher).
class RegexSplitter {
  public:
    // `literal`: the pattern is plain text to look for, not an expression. Throws
    // std::invalid_argument with ICU's reason when the expression does not compile.
    RegexSplitter(std::string_view pattern, bool literal);
    ~RegexSplitter();
    RegexSplitter(const RegexSplitter&) = delete;
    RegexSplitter& operator=(const RegexSplitter&) = delete;

    // The non-empty pieces of `text` (valid UTF-8), views into it, in order. `invert` swaps the
    // roles of matched and unmatched parts.
    std::vector<std::string_view> split(std::string_view text, SplitBehavior behavior,
                                        bool invert = false) const;

  private:
    std::unique_ptr<icu::RegexPattern> pattern_;
};

}  // namespace ssmscope::model
