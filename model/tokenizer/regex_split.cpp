#include "model/tokenizer/regex_split.hpp"

#include <algorithm>
#include <stdexcept>

#include <unicode/regex.h>
#include <unicode/utext.h>

#include "base/str.hpp"

namespace ssmscope::model {

namespace {

struct Part {
    std::size_t begin;
    std::size_t end;
    bool matched;
};

struct UTextCloser {
    void operator()(UText* text) const { utext_close(text); }
};

// The text cut into alternating unmatched and matched parts that cover it. Matches may be empty;
// they still count, as in HF, for the merging rules.
std::vector<Part> find_parts(const icu::RegexPattern& pattern, std::string_view text) {
    UErrorCode status = U_ZERO_ERROR;
    // A UTF-8 UText makes ICU report match positions as byte offsets into `text`.
    std::unique_ptr<UText, UTextCloser> utext(
        utext_openUTF8(nullptr, text.data(), static_cast<std::int64_t>(text.size()), &status));
    std::unique_ptr<icu::RegexMatcher> matcher(pattern.matcher(status));
    if (U_FAILURE(status))
        throw std::runtime_error(str("ICU regex matcher: ", u_errorName(status)));
    matcher->reset(utext.get());

    std::vector<Part> parts;
    std::size_t previous = 0;
    while (matcher->find(status)) {
        const auto begin = static_cast<std::size_t>(matcher->start64(status));
        const auto end = static_cast<std::size_t>(matcher->end64(status));
        if (begin != previous)
            parts.push_back({previous, begin, false});
        parts.push_back({begin, end, true});
        previous = end;
    }
    if (U_FAILURE(status))
        throw std::runtime_error(str("ICU regex search: ", u_errorName(status)));
    if (previous != text.size())
        parts.push_back({previous, text.size(), false});
    return parts;
}

// HF's SplitDelimiterBehavior rules, applied to the parts in order.
std::vector<Part> apply_behavior(const std::vector<Part>& parts, SplitBehavior behavior) {
    std::vector<Part> pieces;
    bool previous_matched = false;
    switch (behavior) {
        case SplitBehavior::removed:
            for (const Part& part : parts)
                if (!part.matched)
                    pieces.push_back(part);
            break;
        case SplitBehavior::isolated:
            pieces = parts;
            break;
        case SplitBehavior::merged_with_previous:
            for (const Part& part : parts) {
                if (part.matched && !previous_matched && !pieces.empty())
                    pieces.back().end = part.end;
                else
                    pieces.push_back(part);
                previous_matched = part.matched;
            }
            break;
        case SplitBehavior::merged_with_next:
            // The mirror image of merged_with_previous: walk backwards.
            for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
                if (it->matched && !previous_matched && !pieces.empty())
                    pieces.back().begin = it->begin;
                else
                    pieces.push_back(*it);
                previous_matched = it->matched;
            }
            std::reverse(pieces.begin(), pieces.end());
            break;
        case SplitBehavior::contiguous:
            for (const Part& part : parts) {
                if (part.matched == previous_matched && !pieces.empty())
                    pieces.back().end = part.end;
                else
                    pieces.push_back(part);
                previous_matched = part.matched;
            }
            break;
    }
    return pieces;
}

// HF runs patterns with Oniguruma, whose \w is [\p{L}\p{M}\p{N}\p{Pc}]; ICU's also takes
// Alphabetic symbols and the joiners U+200C/U+200D but not No (like "²"). Spelling \w and \W out
// makes ICU split where Oniguruma does; the other classes tokenizers use (\s, \d, \p{..}) agree.
std::string with_onig_word_class(std::string_view pattern) {
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] != '\\' || i + 1 == pattern.size()) {
            out += pattern[i];
            continue;
        }
        const char next = pattern[++i];
        if (next == 'w')
            out += "[\\p{L}\\p{M}\\p{N}\\p{Pc}]";
        else if (next == 'W')
            out += "[^\\p{L}\\p{M}\\p{N}\\p{Pc}]";
        else
            out += {'\\', next};  // any other escape (an escaped backslash too) stays
    }
    return out;
}

}  // namespace

RegexSplitter::RegexSplitter(std::string_view pattern, bool literal) {
    UErrorCode status = U_ZERO_ERROR;
    UParseError where{};
    const std::string text = literal ? std::string(pattern) : with_onig_word_class(pattern);
    const icu::UnicodeString source = icu::UnicodeString::fromUTF8(
        icu::StringPiece(text.data(), static_cast<std::int32_t>(text.size())));
    pattern_.reset(icu::RegexPattern::compile(source, literal ? UREGEX_LITERAL : 0, where, status));
    if (U_FAILURE(status))
        throw std::invalid_argument(
            str(u_errorName(status), " at offset ", where.offset, " of the expression"));
}

RegexSplitter::~RegexSplitter() = default;

std::vector<std::string_view> RegexSplitter::split(std::string_view text, SplitBehavior behavior,
                                                   bool invert) const {
    std::vector<Part> parts = find_parts(*pattern_, text);
    if (invert)
        for (Part& part : parts)
            part.matched = !part.matched;
    std::vector<std::string_view> pieces;
    for (const Part& piece : apply_behavior(parts, behavior))
        if (piece.end > piece.begin)
            pieces.push_back(text.substr(piece.begin, piece.end - piece.begin));
    return pieces;
}

}  // namespace ssmscope::model
