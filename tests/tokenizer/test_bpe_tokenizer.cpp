// The tokenizer.json BPE tokenizer on the small vocabulary of tokenizer_files.hpp. Every
// expected id sequence is worked out by hand from that vocabulary and its merge ranks.
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "model/tokenizer/bpe_tokenizer.hpp"
#include "model/tokenizer/byte_level.hpp"
#include "tests/tokenizer/fixtures.hpp"
#include "tests/tokenizer/tokenizer_files.hpp"

using namespace ssmscope::model;
using namespace ssmscope::test;

using Ids = std::vector<std::int64_t>;
using nlohmann::json;

namespace {

// Writes `tokenizer` as tokenizer.json in a scratch directory and loads it from there.
std::unique_ptr<Tokenizer> load(const json& tokenizer) {
    const TempDir dir;
    return load_tokenizer_json(dir.write("tokenizer.json", tokenizer.dump(2)));
}

}  // namespace

BOOST_AUTO_TEST_CASE(merge_rank_not_position_decides) {
    const auto t = load(small_tokenizer());
    // "abc": (b c) ranks 0, (a b) ranks 1, so bc forms first and a stays alone. Merging left to
    // right would give ab, c = 24, 3.
    BOOST_TEST(t->encode("abc") == (Ids{1, 23}), boost::test_tools::per_element());
    // "aaa": (a a) at 0 and at 1 rank the same; the leftmost goes first.
    BOOST_TEST(t->encode("aaa") == (Ids{25, 1}), boost::test_tools::per_element());
    // "hello": ll (rank 3), he (4), hell (5), hello (6).
    BOOST_TEST(t->encode("hello") == (Ids{29}), boost::test_tools::per_element());
    // " 123": Ġ1 (12) makes the pair (Ġ1, 2) of rank 13, which beats (1, 2) of rank 14.
    BOOST_TEST(t->encode(" 123") == (Ids{36, 14}), boost::test_tools::per_element());
    BOOST_TEST(t->encode("123") == (Ids{37, 14}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(gpt2_regex_split_shows_in_the_ids) {
    const auto t = load(small_tokenizer());
    // "don" | "'t": d o n, 't. Unsplit, (n ') of rank 7 would win: d o n' t = 4 8 30 10.
    BOOST_TEST(t->encode("don't") == (Ids{4, 8, 9, 31}), boost::test_tools::per_element());
    // "hello" | "!!!" | " ?": hello; !! ! (leftmost of two equal ranks); Ġ ?.
    BOOST_TEST(t->encode("hello!!! ?") == (Ids{29, 39, 15, 17, 16}),
               boost::test_tools::per_element());
    // Trailing spaces stay together: "a" | "  " = a, ĠĠ.
    BOOST_TEST(t->encode("a  ") == (Ids{1, 32}), boost::test_tools::per_element());
    // Before a word the last space goes with it: "a" | " " | " a" = a, Ġ, Ġa.
    BOOST_TEST(t->encode("a  a") == (Ids{1, 17, 38}), boost::test_tools::per_element());
    // Newlines before a word split up; at the end they stay together (ĊĊ = 40).
    BOOST_TEST(t->encode("a\n\nb") == (Ids{1, 18, 18, 2}), boost::test_tools::per_element());
    BOOST_TEST(t->encode("a\n\n") == (Ids{1, 40}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(non_ascii_word_is_one_pre_token_of_byte_symbols) {
    const auto t = load(small_tokenizer());
    // "héllo" = h Ã © l l o in byte symbols, one pre-token: ll (3), Ã© (10), then h Ã© (11),
    // which needs h and é in the same pre-token.
    BOOST_TEST(t->encode("héllo") == (Ids{34, 26, 8}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(nfc_composes_before_tokenizing) {
    // "e" + U+0301 (combining acute) is "é" after NFC.
    const std::string decomposed = "he\u0301llo";
    BOOST_TEST(load(small_tokenizer())->encode(decomposed) == (Ids{34, 26, 8}),
               boost::test_tools::per_element());
    // Without the normalizer the accent stays apart: "he" | U+0301 = CC 81 = Ì ģ | "llo".
    json raw = small_tokenizer();
    raw["normalizer"] = nullptr;
    BOOST_TEST(load(raw)->encode(decomposed) == (Ids{27, 21, 22, 26, 8}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(special_token_in_the_middle_of_text) {
    const auto t = load(small_tokenizer());
    BOOST_TEST(t->encode("ab<|endoftext|>ab") == (Ids{24, 0, 24}),
               boost::test_tools::per_element());
    BOOST_TEST(t->encode("<|endoftext|><|endoftext|>a") == (Ids{0, 0, 1}),
               boost::test_tools::per_element());
    BOOST_REQUIRE(t->eos_id().has_value());
    BOOST_TEST(*t->eos_id() == 0);
}

BOOST_AUTO_TEST_CASE(no_eos_without_endoftext_added_token) {
    json file = small_tokenizer();
    file["added_tokens"] = json::array();
    BOOST_TEST(!load(file)->eos_id().has_value());
}

BOOST_AUTO_TEST_CASE(both_merge_formats_give_the_same_ids) {
    const auto strings = load(small_tokenizer());
    const auto pairs = load(with_pair_merges(small_tokenizer()));
    for (const std::string text : {"abc", "aaa", "hello", " 123", "don't", "héllo", "a  a"})
        BOOST_TEST(strings->encode(text) == pairs->encode(text), boost::test_tools::per_element());
    BOOST_TEST(pairs->encode("abc") == (Ids{1, 23}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(size_and_description) {
    const auto t = load(small_tokenizer());
    BOOST_TEST(t->vocab_size() == 41);  // ids 0 to 40
    BOOST_TEST(t->description() == "BPE, 41 tokens (tokenizer.json)");
}

BOOST_AUTO_TEST_CASE(decode_maps_byte_symbols_back) {
    const auto t = load(small_tokenizer());
    // Ġ, Ã©, ĊĊ, <|endoftext|>.
    BOOST_TEST(t->decode(Ids{17, 33, 40, 0}) == " é\n\n<|endoftext|>");
    // Half of "é" is the byte C3 as it is.
    BOOST_TEST(t->decode(Ids{19}) == "\xC3");
    const std::string text = "hello don't  a\n\nb 123 héllo!!! ?<|endoftext|>abc  ";
    BOOST_TEST(t->decode(t->encode(text)) == text);
}

BOOST_AUTO_TEST_CASE(round_trip_with_every_byte_in_the_vocabulary) {
    // Byte b is token b + 1, written as its GPT-2 symbol; no merges.
    json file = small_tokenizer();
    json vocab = {{"<|endoftext|>", 0}};
    for (int b = 0; b < 256; ++b)
        vocab[bytes_to_symbols(std::string(1, static_cast<char>(b)))] = b + 1;
    file["model"]["vocab"] = vocab;
    file["model"]["merges"] = json::array();
    const auto t = load(file);
    // é = C3 A9.
    BOOST_TEST(t->encode("é") == (Ids{0xC3 + 1, 0xA9 + 1}), boost::test_tools::per_element());
    const std::string text = "Grüße, 世界! 🙂 x\r\n\t y  z<|endoftext|>don't 42\x7f";
    BOOST_TEST(t->decode(t->encode(text)) == text);
    BOOST_TEST(t->vocab_size() == 257);
}

BOOST_AUTO_TEST_CASE(prefix_space_goes_on_every_piece) {
    json file = small_tokenizer();
    file["pre_tokenizer"]["add_prefix_space"] = true;
    // " ab" = Ġ ab (ab ranks before Ġa); the piece after <|endoftext|> gets its space too: Ġa.
    BOOST_TEST(load(file)->encode("ab<|endoftext|>a") == (Ids{17, 24, 0, 38}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(split_pre_tokenizer_then_byte_level_without_regex) {
    json file = small_tokenizer();
    file["pre_tokenizer"] = {{"type", "Sequence"},
                             {"pretokenizers",
                              {{{"type", "Split"},
                                {"pattern", {{"Regex", "\\p{N}"}}},
                                {"behavior", "Isolated"},
                                {"invert", false}},
                               {{"type", "ByteLevel"},
                                {"add_prefix_space", false},
                                {"trim_offsets", true},
                                {"use_regex", false}}}}};
    // "a " | "1" | "2": the space stays with the a (aĠ has no merge), digits stand alone.
    BOOST_TEST(load(file)->encode("a 12") == (Ids{1, 17, 12, 13}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(normalized_added_tokens_like_gpt_neox_space_runs) {
    json file = small_tokenizer();
    file["added_tokens"].push_back({{"id", 41},
                                    {"content", "  "},
                                    {"single_word", false},
                                    {"lstrip", false},
                                    {"rstrip", false},
                                    {"normalized", true},
                                    {"special", false}});
    const auto t = load(file);
    // Two spaces are the added token; of three, the first two are, and " b" is Ġ b.
    BOOST_TEST(t->encode("a  b") == (Ids{1, 41, 2}), boost::test_tools::per_element());
    BOOST_TEST(t->encode("a   b") == (Ids{1, 41, 17, 2}), boost::test_tools::per_element());
    BOOST_TEST(t->decode(Ids{1, 41, 2}) == "a  b");
    BOOST_TEST(t->vocab_size() == 42);
}

BOOST_AUTO_TEST_CASE(template_post_processor_adds_tokens) {
    json file = small_tokenizer();
    file["post_processor"] = {
        {"type", "TemplateProcessing"},
        {"single",
         {{{"SpecialToken", {{"id", "<|endoftext|>"}, {"type_id", 0}}}},
          {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
        {"pair", json::array()},
        {"special_tokens",
         {{"<|endoftext|>",
           {{"id", "<|endoftext|>"}, {"ids", {0}}, {"tokens", {"<|endoftext|>"}}}}}}};
    BOOST_TEST(load(file)->encode("ab") == (Ids{0, 24}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unknown_characters) {
    // Without unk_token, a character outside the vocabulary gives no token, as in HF; "x" is not
    // in it. (Its neighbours then meet: "axb" would merge to ab.)
    BOOST_TEST(load(small_tokenizer())->encode("axxd") == (Ids{1, 4}),
               boost::test_tools::per_element());
    json file = small_tokenizer();
    file["model"]["vocab"]["<unk>"] = 41;
    file["model"]["unk_token"] = "<unk>";
    BOOST_TEST(load(file)->encode("axxd") == (Ids{1, 41, 41, 4}), boost::test_tools::per_element());
    file["model"]["fuse_unk"] = true;
    BOOST_TEST(load(file)->encode("axxd") == (Ids{1, 41, 4}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(text_and_ids_that_cannot_be_handled) {
    const auto t = load(small_tokenizer());
    std::string e = input_error([&] { t->encode("ab\xC3"); });
    BOOST_TEST(contains(e, "not valid UTF-8"));
    BOOST_TEST(contains(e, "byte 2"));
    e = input_error([&] { t->decode(Ids{1, 41}); });
    BOOST_TEST(contains(e, "token id 41"));
    BOOST_TEST(contains(e, "tokenizer.json"));
    e = input_error([&] { t->decode(Ids{-3}); });
    BOOST_TEST(contains(e, "token id -3"));
}

BOOST_AUTO_TEST_CASE(concurrent_encoding_agrees) {
    const auto t = load(small_tokenizer());
    const Ids expected = t->encode("hello don't héllo");
    std::vector<Ids> results(4);
    std::vector<std::thread> threads;
    for (auto& r : results)
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i)
                r = t->encode("hello don't héllo");
        });
    for (auto& th : threads)
        th.join();
    for (const Ids& r : results)
        BOOST_TEST(r == expected, boost::test_tools::per_element());
}
