// Choosing a checkpoint's tokenizer: its tokenizer.json if it has one, else bytes.
#include <boost/test/unit_test.hpp>

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
