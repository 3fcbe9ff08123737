// The steps before BPE: GPT-2's byte symbols, the GPT-2 split pattern, Split behaviours, the
// normalizer, SentencePiece's Metaspace and added-token matching; and the decoder chain after it.
// Expected pieces are worked out from the rules by hand.
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "model/tokenizer/added_tokens.hpp"
#include "model/tokenizer/byte_level.hpp"
#include "model/tokenizer/decoder.hpp"
#include "model/tokenizer/normalizer.hpp"
#include "model/tokenizer/pre_tokenizer.hpp"
#include "model/tokenizer/regex_split.hpp"

using namespace ssmscope::model;

using Strings = std::vector<std::string>;

namespace {

// GPT-2 pre-tokenization without a prefix space, as GPT-NeoX's tokenizer.json configures it.
Strings gpt2(std::string_view text, bool add_prefix_space = false, bool use_regex = true) {
    return PreTokenizer({PreTokenizer::ByteLevel{add_prefix_space, use_regex}}).apply(text);
}

Strings split(std::string_view pattern, bool literal, std::string_view text, SplitBehavior behavior,
              bool invert = false) {
    const RegexSplitter splitter(pattern, literal);
    Strings out;
    for (const std::string_view piece : splitter.split(text, behavior, invert))
        out.emplace_back(piece);
    return out;
}

struct Piece {
    std::string text;
    std::int64_t id;  // -1: not an added token
    bool operator==(const Piece&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Piece& p) {
    return os << '"' << p.text << "\"/" << p.id;
}

std::vector<Piece> pieces(const AddedTokenMatcher& m, std::string_view text) {
    std::vector<Piece> out;
    for (const TextPiece& p : m.split(text))
        out.push_back({std::string(p.text), p.id.value_or(-1)});
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(byte_symbols_follow_gpt2) {
    // Printable Latin-1 bytes stand for themselves.
    BOOST_TEST(static_cast<std::uint32_t>(byte_to_symbol('a')) == 0x61u);
    BOOST_TEST(static_cast<std::uint32_t>(byte_to_symbol(0xE9)) == 0xE9u);
    BOOST_TEST(static_cast<std::uint32_t>(byte_to_symbol(0xA1)) == 0xA1u);
    // The others count up from U+0100 in byte order: 0..32 -> U+0100..U+0120, 127..160 ->
    // U+0121..U+0142, 173 -> U+0143.
    BOOST_TEST(static_cast<std::uint32_t>(byte_to_symbol(0)) == 0x100u);
    BOOST_TEST(static_cast<std::uint32_t>(byte_to_symbol('\t')) == 0x109u);  // ĉ
    BOOST_TEST(static_cast<std::uint32_t>(byte_to_symbol('\n')) == 0x10Au);  // Ċ
    BOOST_TEST(static_cast<std::uint32_t>(byte_to_symbol(' ')) == 0x120u);   // Ġ
    BOOST_TEST(static_cast<std::uint32_t>(byte_to_symbol(127)) == 0x121u);
    BOOST_TEST(static_cast<std::uint32_t>(byte_to_symbol(160)) == 0x142u);
    BOOST_TEST(static_cast<std::uint32_t>(byte_to_symbol(173)) == 0x143u);
}

BOOST_AUTO_TEST_CASE(byte_symbols_round_trip) {
    // é is C3 A9: "Ã" and "©".
    BOOST_TEST(bytes_to_symbols(" hé\n") == "ĠhÃ©Ċ");
    BOOST_TEST(symbols_to_bytes("ĠhÃ©Ċ").value() == " hé\n");
    std::string all;
    for (int b = 0; b < 256; ++b)
        all += static_cast<char>(b);
    BOOST_TEST(symbols_to_bytes(bytes_to_symbols(all)).value() == all);
    // A plain space (U+0020) and "€" are not byte symbols.
    BOOST_TEST(!symbols_to_bytes("a b").has_value());
    BOOST_TEST(!symbols_to_bytes("€").has_value());
}

BOOST_AUTO_TEST_CASE(gpt2_split_contractions) {
    BOOST_TEST(gpt2("don't") == (Strings{"don", "'t"}), boost::test_tools::per_element());
    BOOST_TEST(gpt2("I'll we're") == (Strings{"I", "'ll", "Ġwe", "'re"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(gpt2_split_numbers_and_punctuation) {
    // " ?\p{N}+" keeps the space with the digits; letters start a new piece.
    BOOST_TEST(gpt2(" 123abc") == (Strings{"Ġ123", "abc"}), boost::test_tools::per_element());
    // A run of punctuation is one piece; a space before punctuation joins it.
    BOOST_TEST(gpt2("hello!!! ?") == (Strings{"hello", "!!!", "Ġ?"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(gpt2_split_whitespace) {
    // Trailing spaces: "\s+(?!\S)" takes them all.
    BOOST_TEST(gpt2("a  ") == (Strings{"a", "ĠĠ"}), boost::test_tools::per_element());
    // Before a word, the last space is left to the word.
    BOOST_TEST(gpt2("a  b") == (Strings{"a", "Ġ", "Ġb"}), boost::test_tools::per_element());
    // Newlines: the lookahead gives up one "\n" before "b", and "\s+" takes the other.
    BOOST_TEST(gpt2("a\n\nb") == (Strings{"a", "Ċ", "Ċ", "b"}), boost::test_tools::per_element());
    BOOST_TEST(gpt2("a\n\n") == (Strings{"a", "ĊĊ"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(gpt2_split_non_ascii_letters) {
    // é and ö are letters, so each word is one piece; ö is C3 B6: "Ã¶".
    BOOST_TEST(gpt2("héllo wörld") == (Strings{"hÃ©llo", "ĠwÃ¶rld"}),
               boost::test_tools::per_element());
    // 日 = E6 97 A5, 本 = E6 9C AC: 0x97 -> U+0139 "Ĺ", 0x9C -> U+013E "ľ".
    BOOST_TEST(gpt2("日本") == (Strings{"æĹ¥æľ¬"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(byte_level_prefix_space_and_no_regex) {
    BOOST_TEST(gpt2("hi", true) == (Strings{"Ġhi"}), boost::test_tools::per_element());
    BOOST_TEST(gpt2(" hi", true) == (Strings{"Ġhi"}), boost::test_tools::per_element());
    BOOST_TEST(gpt2("a b", false, false) == (Strings{"aĠb"}), boost::test_tools::per_element());
    BOOST_TEST(gpt2("").empty());
}

BOOST_AUTO_TEST_CASE(split_behaviours) {
    const std::string text = "How are you doing?";
    BOOST_TEST(
        split(" ", true, text, SplitBehavior::removed) == (Strings{"How", "are", "you", "doing?"}),
        boost::test_tools::per_element());
    BOOST_TEST(split(" ", true, text, SplitBehavior::isolated) ==
                   (Strings{"How", " ", "are", " ", "you", " ", "doing?"}),
               boost::test_tools::per_element());
    BOOST_TEST(split(" ", true, text, SplitBehavior::merged_with_previous) ==
                   (Strings{"How ", "are ", "you ", "doing?"}),
               boost::test_tools::per_element());
    BOOST_TEST(split(" ", true, text, SplitBehavior::merged_with_next) ==
                   (Strings{"How", " are", " you", " doing?"}),
               boost::test_tools::per_element());
    // Two single-space matches in a row form one piece.
    BOOST_TEST(split(" ", true, "a  b", SplitBehavior::contiguous) == (Strings{"a", "  ", "b"}),
               boost::test_tools::per_element());
    // Inverted, the words are the matches and the space is what remains.
    BOOST_TEST(split(" ", true, "ab cd", SplitBehavior::removed, true) == (Strings{" "}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(split_expressions) {
    // Llama-3 style digit groups.
    BOOST_TEST(split(R"(\p{N}{1,3})", false, "12345x", SplitBehavior::isolated) ==
                   (Strings{"123", "45", "x"}),
               boost::test_tools::per_element());
    // A literal pattern is not an expression: "." is a dot.
    BOOST_TEST(split(".", true, "a.b", SplitBehavior::removed) == (Strings{"a", "b"}),
               boost::test_tools::per_element());
    // Empty matches cut nothing and leave no empty pieces.
    BOOST_TEST(split("x*", false, "ab", SplitBehavior::isolated) == (Strings{"a", "b"}),
               boost::test_tools::per_element());
    // Byte offsets stay right after multi-byte characters.
    BOOST_TEST(
        split("-", true, "é-€-🙂", SplitBehavior::removed) == (Strings{"é", "€", "🙂"}),
        boost::test_tools::per_element());
    BOOST_CHECK_THROW(RegexSplitter("(", false), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(normal_forms) {
    BOOST_TEST(Normalizer({NormalForm::nfc}).apply("e\u0301") == "\u00e9");
    BOOST_TEST(Normalizer({NormalForm::nfd}).apply("\u00e9") == "e\u0301");
    BOOST_TEST(Normalizer({NormalForm::nfkc}).apply("\ufb01") == "fi");  // the ligature ﬁ
    BOOST_TEST(Normalizer().apply("e\u0301") == "e\u0301");
}

BOOST_AUTO_TEST_CASE(prepend_and_replace_normalizers) {
    // Llama's older layout: "▁" before the text, every space as "▁"; an empty piece stays empty.
    const Normalizer llama({Prepend{"\u2581"}, Replace{" ", "\u2581"}});
    BOOST_TEST(llama.apply("Hi  there") == "\u2581Hi\u2581\u2581there");
    BOOST_TEST(llama.apply(" x") == "\u2581\u2581x");
    BOOST_TEST(llama.apply("") == "");
    BOOST_TEST(replace_all("aaa", "aa", "b") == "ba");  // left to right, no overlaps
}

BOOST_AUTO_TEST_CASE(metaspace_prepend_schemes_and_split) {
    const auto metaspace = [](PreTokenizer::PrependScheme scheme, bool split) {
        PreTokenizer::Metaspace m;
        m.prepend = scheme;
        if (split)
            m.splitter = std::make_shared<const RegexSplitter>("\u2581", true);
        return PreTokenizer({m});
    };
    using Scheme = PreTokenizer::PrependScheme;
    const std::string s = "\u2581";
    // Split before every "▁", which stays with the word after it; doubled spaces leave a lone ▁.
    BOOST_TEST(
        metaspace(Scheme::always, true).apply("Hey  you") == (Strings{s + "Hey", s, s + "you"}),
        boost::test_tools::per_element());
    // No second ▁ before a text that starts with a space.
    BOOST_TEST(metaspace(Scheme::always, false).apply(" x") == (Strings{s + "x"}),
               boost::test_tools::per_element());
    // "first": only at the start of the input, not after an added token.
    BOOST_TEST(metaspace(Scheme::first, false).apply("x y", true) == (Strings{s + "x" + s + "y"}),
               boost::test_tools::per_element());
    BOOST_TEST(metaspace(Scheme::first, false).apply("x y", false) == (Strings{"x" + s + "y"}),
               boost::test_tools::per_element());
    BOOST_TEST(metaspace(Scheme::never, false).apply("x", true) == (Strings{"x"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(sentencepiece_decoders) {
    const std::string s = "\u2581";
    // Llama: ▁ to space, <0xXX> runs to their bytes, all fused, one leading space stripped.
    const Decoder llama({Decoder::Replace{s, " "}, Decoder::ByteFallback{}, Decoder::Fuse{},
                         Decoder::Strip{" ", 1, 0}});
    BOOST_TEST(llama.decode({s + "caf", "<0xC3>", "<0xA9>", s + s + "x"}) == "caf\u00e9  x");
    // As a continuation the leading space stays: the text goes on from earlier tokens.
    BOOST_TEST(llama.decode({s + "x"}, true) == " x");
    // Bytes that are not UTF-8 on their own are kept, not replaced by U+FFFD.
    BOOST_TEST(llama.decode({"<0xC3>"}) == "\xC3");
    // "<0xZZ>" and "<0x4>" are ordinary tokens.
    BOOST_TEST(llama.decode({"<0xZZ>", "<0x4>"}) == "<0xZZ><0x4>");
    // Metaspace drops every ▁ of the first token (HF), turns the others into spaces.
    const Decoder meta({Decoder::Metaspace{s, true}});
    BOOST_TEST(meta.decode({s + s + "a", s + "b"}) == "a b");
    BOOST_TEST(meta.decode({s + "a"}, true) == " a");
    BOOST_TEST(Decoder({Decoder::Metaspace{s, false}}).decode({s + "a"}) == " a");  // "never"
    // Strip from both ends of every token when nothing fused them.
    BOOST_TEST(Decoder({Decoder::Strip{"x", 2, 1}}).decode({"xxxaxx", "ax"}) == "xaxa");
}

BOOST_AUTO_TEST_CASE(added_tokens_longest_match_first) {
    const AddedTokenMatcher m({{"ab", 1}, {"abc", 2}});
    // At 1 both match: the longer wins. At 4 only "ab" does.
    BOOST_TEST(pieces(m, "xabcab") == (std::vector<Piece>{{"x", -1}, {"abc", 2}, {"ab", 1}}),
               boost::test_tools::per_element());
    BOOST_TEST(pieces(m, "xyz") == (std::vector<Piece>{{"xyz", -1}}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(added_tokens_strip_and_single_word) {
    AddedToken mask{"<m>", 7};
    mask.lstrip = mask.rstrip = true;
    BOOST_TEST(pieces(AddedTokenMatcher({mask}), "x \t<m>  y") ==
                   (std::vector<Piece>{{"x", -1}, {" \t<m>  ", 7}, {"y", -1}}),
               boost::test_tools::per_element());
    AddedToken word{"ab", 3};
    word.single_word = true;
    // Inside "cab" a word character touches it.
    BOOST_TEST(pieces(AddedTokenMatcher({word}), "ab cab ab") ==
                   (std::vector<Piece>{{"ab", 3}, {" cab ", -1}, {"ab", 3}}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(added_token_inside_stripped_whitespace_ends_the_strip) {
    // HF searches on from the end of "<m>" itself, finds "  " in the whitespace that rstrip took,
    // and goes on after that: "<m>" then "  " then " y".
    AddedToken mask{"<m>", 7};
    mask.rstrip = true;
    BOOST_TEST(pieces(AddedTokenMatcher({mask, {"  ", 9}}), "<m>   y") ==
                   (std::vector<Piece>{{"<m>   ", 7}, {"  ", 9}, {" y", -1}}),
               boost::test_tools::per_element());
}
