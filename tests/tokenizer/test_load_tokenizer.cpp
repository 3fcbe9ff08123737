// Choosing a checkpoint's tokenizer: load_tokenizer (the trainer's: its tokenizer.json if it has
// one, else bytes) and choose_tokenizer (--tokenizer, the checkpoint's, bytes, or none).
#include <boost/test/unit_test.hpp>

#include "model/tokenizer/choose_tokenizer.hpp"
#include "model/tokenizer/load_tokenizer.hpp"
#include "tests/tokenizer/fixtures.hpp"
#include "tests/tokenizer/tokenizer_files.hpp"

using namespace ssmscope::model;
using namespace ssmscope::test;

BOOST_AUTO_TEST_CASE(directory_without_tokenizer_json_gets_bytes) {
    const TempDir dir;
    dir.write("config.json", "{}");
    const auto t = load_tokenizer(dir.path());
    BOOST_TEST(t->vocab_size() == 257);
    BOOST_TEST(t->description() == "byte-level (256 bytes + <|endoftext|>)");
}

BOOST_AUTO_TEST_CASE(directory_with_tokenizer_json_gets_bpe) {
    const TempDir dir;
    dir.write("tokenizer.json", small_tokenizer().dump());
    const auto t = load_tokenizer(dir.path());
    BOOST_TEST(t->description() == "BPE, 41 tokens (tokenizer.json)");
    BOOST_TEST(t->encode("abc").size() == 2u);  // a, bc
}

BOOST_AUTO_TEST_CASE(broken_tokenizer_json_is_an_error_not_a_fallback) {
    const TempDir dir;
    const auto file = dir.write("tokenizer.json", "{");
    const std::string e = input_error([&] { load_tokenizer(dir.path()); });
    BOOST_TEST(contains(e, file.string()), e);
}

// model::choose_tokenizer, the rule every command and the GUI open a checkpoint with.

BOOST_AUTO_TEST_CASE(a_named_file_wins_and_must_load) {
    const TempDir dir;
    const auto file = dir.write("other.json", small_tokenizer().dump());
    TokenizerChoice c = choose_tokenizer(
        {.file = file, .checkpoint_text = "{", .checkpoint_source = "ckpt", .model_vocab = 41});
    BOOST_TEST(c.tokenizer->description() == "BPE, 41 tokens (other.json)");
    BOOST_TEST(c.warnings.empty());  // the checkpoint's broken file is not even read
    const std::string e =
        input_error([&] { choose_tokenizer({.file = dir / "missing.json", .model_vocab = 41}); });
    BOOST_TEST(contains(e, "missing.json: no such file"), e);
}

BOOST_AUTO_TEST_CASE(the_byte_tokenizer_only_for_a_byte_sized_vocabulary) {
    // 257 ids padded to at most 320 rows; ssmscope's own models (the samples) have 264.
    for (const std::int64_t rows : {56, 257, 264, 320})
        BOOST_TEST(choose_tokenizer({.model_vocab = rows}).tokenizer->vocab_size() == 257, rows);
    TokenizerChoice c = choose_tokenizer({.model_vocab = 50280});
    BOOST_TEST(c.warnings.empty());
    BOOST_TEST(c.tokenizer->description().starts_with("none (the checkpoint has no"));
    BOOST_TEST(c.tokenizer->vocab_size() == 50280);
    const std::string e = input_error([&] { c.tokenizer->encode("hello"); });
    BOOST_TEST(e ==
               "text input needs a tokenizer: the checkpoint has no tokenizer.json and its "
               "vocabulary of 50280 tokens is not the byte tokenizer's (257); pass --tokenizer "
               "FILE (a tokenizer.json), or give token ids with --tokens");
    BOOST_TEST(choose_tokenizer({.model_vocab = 321}).tokenizer->description().starts_with("none"));
}

BOOST_AUTO_TEST_CASE(an_unreadable_checkpoint_tokenizer_is_a_warning) {
    TokenizerChoice c = choose_tokenizer(
        {.checkpoint_text = "{", .checkpoint_source = "m/tokenizer.json", .model_vocab = 264});
    BOOST_REQUIRE_EQUAL(c.warnings.size(), 1u);
    BOOST_TEST(
        contains(c.warnings[0], "the checkpoint's tokenizer cannot be used (m/tokenizer.json"),
        c.warnings[0]);
    // Not the byte tokenizer, though the vocabulary would fit it: the checkpoint says it has
    // another.
    const std::string e = input_error([&] { c.tokenizer->encode("hi"); });
    BOOST_TEST(contains(e, "m/tokenizer.json: not valid JSON"), e);
    BOOST_TEST(contains(e, "pass --tokenizer FILE"), e);
}

BOOST_AUTO_TEST_CASE(a_tokenizer_beyond_the_embedding_is_a_warning) {
    TokenizerChoice c = choose_tokenizer({.checkpoint_text = small_tokenizer().dump(),
                                          .checkpoint_source = "m/tokenizer.json",
                                          .model_vocab = 30});
    BOOST_REQUIRE_EQUAL(c.warnings.size(), 1u);
    BOOST_TEST(contains(c.warnings[0], "has ids up to 40, beyond the 30 rows of the embedding"),
               c.warnings[0]);
    BOOST_TEST(c.tokenizer->encode("abc").size() == 2u);
}
