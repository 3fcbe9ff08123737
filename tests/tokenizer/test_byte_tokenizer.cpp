// The built-in byte-level tokenizer: ids are the bytes of the UTF-8 text, 256 is <|endoftext|>.
#include <cstdint>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "model/tokenizer/byte_tokenizer.hpp"
#include "tests/tokenizer/fixtures.hpp"

using namespace ssmscope::model;
using namespace ssmscope::test;

using Ids = std::vector<std::int64_t>;

BOOST_AUTO_TEST_CASE(ascii_ids_are_the_bytes) {
    const auto t = make_byte_tokenizer();
    // 'H' = 72, 'i' = 105, ' ' = 32, '!' = 33, '\n' = 10.
    BOOST_TEST(t->encode("Hi !\n") == (Ids{72, 105, 32, 33, 10}), boost::test_tools::per_element());
    BOOST_TEST(t->encode("").empty());
}

BOOST_AUTO_TEST_CASE(multibyte_utf8_ids_are_the_bytes) {
    const auto t = make_byte_tokenizer();
    // é = U+00E9 = C3 A9; € = U+20AC = E2 82 AC; 🙂 = U+1F642 = F0 9F 99 82.
    BOOST_TEST(
        t->encode("é€🙂") == (Ids{0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x99, 0x82}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(endoftext_is_the_eos_and_is_recognised_in_text) {
    const auto t = make_byte_tokenizer();
    BOOST_TEST(t->vocab_size() == 257);
    BOOST_REQUIRE(t->eos_id().has_value());
    BOOST_TEST(*t->eos_id() == 256);
    BOOST_TEST(t->encode("a<|endoftext|>b") == (Ids{97, 256, 98}),
               boost::test_tools::per_element());
    // An incomplete marker is plain bytes: '<' = 60, '|' = 124.
    BOOST_TEST(t->encode("<|x") == (Ids{60, 124, 120}), boost::test_tools::per_element());
    BOOST_TEST(t->decode(Ids{104, 256, 105}) == "h<|endoftext|>i");
    BOOST_TEST(t->description() == "byte-level (256 bytes + <|endoftext|>)");
}

BOOST_AUTO_TEST_CASE(round_trip) {
    const auto t = make_byte_tokenizer();
    const std::string text =
        "Mamba: y = C h, h' = A h + B x\n\tgrüße, 日本語 🙂<|endoftext|>";
    BOOST_TEST(t->decode(t->encode(text)) == text);
    const std::string zero("a\0b", 3);
    BOOST_TEST(t->decode(t->encode(zero)) == zero);
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_decode_as_they_are) {
    const auto t = make_byte_tokenizer();
    // The first byte of "é" alone, and a byte that never occurs in UTF-8.
    BOOST_TEST(t->decode(Ids{0xC3}) == "\xC3");
    BOOST_TEST(t->decode(Ids{0xFF, 65}) ==
               "\xFF"
               "A");
    // Invalid UTF-8 also encodes byte by byte.
    BOOST_TEST(t->encode("\xFF") == (Ids{255}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(decode_refuses_ids_outside_the_vocabulary) {
    const auto t = make_byte_tokenizer();
    std::string e = input_error([&] { t->decode(Ids{65, 257}); });
    BOOST_TEST(contains(e, "token id 257"));
    BOOST_TEST(contains(e, "position 1"));
    e = input_error([&] { t->decode(Ids{-1}); });
    BOOST_TEST(contains(e, "token id -1"));
}
