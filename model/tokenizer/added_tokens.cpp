#include "model/tokenizer/added_tokens.hpp"

#include <algorithm>

#include <unicode/uchar.h>
#include <unicode/uniset.h>

#include "model/tokenizer/utf8.hpp"

namespace ssmscope::model {

namespace {

// HF checks with Rust's regex classes \s (White_Space) and \w (Unicode word characters).
bool is_space(char32_t c) {
    return u_isUWhiteSpace(static_cast<UChar32>(c));
}

bool is_word(char32_t c) {
    static const icu::UnicodeSet word = [] {
        UErrorCode status = U_ZERO_ERROR;
        icu::UnicodeSet set(u"[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]", status);
        set.freeze();
        return set;
    }();
    return word.contains(static_cast<UChar32>(c));
}

bool word_ends_at(std::string_view text, std::size_t i) {
    return i > 0 && is_word(previous_code_point(text, i));
}

bool word_starts_at(std::string_view text, std::size_t i) {
    return i < text.size() && is_word(next_code_point(text, i));
}

// The start of the whitespace run that ends at `i`.
std::size_t space_run_start(std::string_view text, std::size_t i) {
    while (i > 0) {
        std::size_t before = i;
        if (!is_space(previous_code_point(text, before)))
            break;
        i = before;
    }
    return i;
}

// The end of the whitespace run that starts at `i`.
std::size_t space_run_end(std::string_view text, std::size_t i) {
    while (i < text.size()) {
        std::size_t after = i;
        if (!is_space(next_code_point(text, after)))
            break;
        i = after;
    }
    return i;
}

}  // namespace

AddedTokenMatcher::AddedTokenMatcher(std::vector<AddedToken> tokens)
    : tokens_(std::move(tokens)), first_bytes_(256, false) {
    std::erase_if(tokens_, [](const AddedToken& t) { return t.content.empty(); });
    std::stable_sort(tokens_.begin(), tokens_.end(), [](const AddedToken& a, const AddedToken& b) {
        return a.content.size() > b.content.size();
    });
    for (const AddedToken& token : tokens_)
        first_bytes_[static_cast<unsigned char>(token.content.front())] = true;
}

std::vector<TextPiece> AddedTokenMatcher::split(std::string_view text) const {
    std::vector<TextPiece> pieces;
    std::size_t taken = 0;  // where the plain text after the last added token starts
    std::size_t i = 0;
    while (i < text.size()) {
        if (!first_bytes_[static_cast<unsigned char>(text[i])]) {
            ++i;
            continue;
        }
        const auto hit = std::find_if(tokens_.begin(), tokens_.end(), [&](const AddedToken& t) {
            return text.substr(i).starts_with(t.content);
        });
        if (hit == tokens_.end()) {
            ++i;
            continue;
        }
        std::size_t begin = i;
        std::size_t end = i + hit->content.size();
        // As in HF, the search goes on after the match itself, not after the whitespace rstrip
        // adds to it: an added token found in that whitespace ends the stripping there. And a
        // rejected single-word match still consumes its text, so no shorter token inside it is
        // tried.
        i = end;
        if (hit->single_word && (word_ends_at(text, begin) || word_starts_at(text, end)))
            continue;
        if (hit->lstrip)
            begin = std::min(std::max(space_run_start(text, begin), taken), end);
        if (hit->rstrip)
            end = space_run_end(text, end);
        if (begin > taken)
            pieces.push_back({text.substr(taken, begin - taken), std::nullopt});
        pieces.push_back({text.substr(begin, end - begin), hit->id});
        taken = end;
    }
    if (taken < text.size())
        pieces.push_back({text.substr(taken), std::nullopt});
    return pieces;
}

}  // namespace ssmscope::model
