// One test per kind of malformed tokenizer.json: each checks that the InputError names the file
// and the field at fault.
#include <string>

#include <boost/test/unit_test.hpp>

#include "model/tokenizer/bpe_tokenizer.hpp"
#include "tests/tokenizer/fixtures.hpp"
#include "tests/tokenizer/tokenizer_files.hpp"

using namespace ssmscope;
using namespace ssmscope::model;
using namespace ssmscope::test;

using nlohmann::json;

namespace {

// The message of loading `text` as tokenizer.json; requires that it names the file.
std::string load_error(const std::string& text) {
    const TempDir dir;
    const auto file = dir.write("tokenizer.json", text);
    const std::string e = input_error([&] { load_tokenizer_json(file); });
    BOOST_TEST(contains(e, file.string()), e);
    return e;
}

std::string load_error(const json& tokenizer) {
    return load_error(tokenizer.dump());
}

}  // namespace

BOOST_AUTO_TEST_CASE(missing_file) {
    const TempDir dir;
    const auto file = dir / "tokenizer.json";
    const std::string e = input_error([&] { load_tokenizer_json(file); });
    BOOST_TEST(contains(e, file.string() + ": no such file"), e);
}

BOOST_AUTO_TEST_CASE(malformed_json) {
    const std::string e = load_error(std::string(R"({"model": {"type": "BPE",)"));
    BOOST_TEST(contains(e, "not valid JSON"), e);
}

BOOST_AUTO_TEST_CASE(missing_model) {
    json file = small_tokenizer();
    file.erase("model");
    BOOST_TEST(contains(load_error(file), "tokenizer.json: model: missing"));
}

BOOST_AUTO_TEST_CASE(model_type_not_bpe) {
    json file = small_tokenizer();
    file["model"]["type"] = "WordPiece";
    const std::string e = load_error(file);
    BOOST_TEST(contains(e, "model.type: unsupported model type \"WordPiece\""), e);
}

BOOST_AUTO_TEST_CASE(merge_that_is_not_two_tokens) {
    json file = small_tokenizer();
    file["model"]["merges"][3] = "a b c";
    std::string e = load_error(file);
    BOOST_TEST(contains(e, "model.merges[3]: expected two tokens"), e);
    file = with_pair_merges(small_tokenizer());
    file["model"]["merges"][2] = {"a"};
    e = load_error(file);
    BOOST_TEST(contains(e, "model.merges[2]: expected a merge of two tokens"), e);
}

BOOST_AUTO_TEST_CASE(merge_naming_a_token_absent_from_vocab) {
    json file = small_tokenizer();
    file["model"]["merges"][4] = "a q";
    std::string e = load_error(file);
    BOOST_TEST(contains(e, "model.merges[4]: \"q\" is not in model.vocab"), e);
    // Both tokens exist but their concatenation does not.
    file = with_pair_merges(small_tokenizer());
    file["model"]["merges"][5] = {"d", "e"};
    e = load_error(file);
    BOOST_TEST(contains(e, "model.merges[5]: the merged token \"de\" is not in model.vocab"), e);
}

BOOST_AUTO_TEST_CASE(duplicate_ids) {
    json file = small_tokenizer();
    file["model"]["vocab"]["b"] = 1;  // the id of "a"
    std::string e = load_error(file);
    BOOST_TEST(contains(e, "model.vocab[\"b\"]: duplicate id: 1 is already the id of \"a\""), e);
    // An added token that takes an id of the vocabulary.
    file = small_tokenizer();
    file["added_tokens"].push_back({{"id", 5}, {"content", "<pad>"}, {"special", true}});
    e = load_error(file);
    BOOST_TEST(contains(e, "added_tokens[1].id: duplicate id: 5 is already the id of \"e\""), e);
}

BOOST_AUTO_TEST_CASE(unsupported_normalizer) {
    json file = small_tokenizer();
    file["normalizer"] = {{"type", "Sequence"},
                          {"normalizers", {{{"type", "NFC"}}, {{"type", "Lowercase"}}}}};
    const std::string e = load_error(file);
    BOOST_TEST(contains(e,
                        "normalizer.normalizers[1].type: unsupported normalizer type "
                        "\"Lowercase\""),
               e);
}

BOOST_AUTO_TEST_CASE(unsupported_pre_tokenizer) {
    json file = small_tokenizer();
    file["pre_tokenizer"] = {{"type", "Whitespace"}};
    std::string e = load_error(file);
    BOOST_TEST(contains(e, "pre_tokenizer.type: unsupported pre_tokenizer type \"Whitespace\""), e);
    file["pre_tokenizer"] = {
        {"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}};
    e = load_error(file);
    BOOST_TEST(contains(e, "pre_tokenizer.pattern.Regex: the regular expression does not compile"),
               e);
}

BOOST_AUTO_TEST_CASE(unsupported_model_options) {
    json file = small_tokenizer();
    file["model"]["continuing_subword_prefix"] = "##";
    BOOST_TEST(contains(load_error(file), "model.continuing_subword_prefix: not supported"));
    file = small_tokenizer();
    file["model"]["dropout"] = 0.1;
    BOOST_TEST(contains(load_error(file), "model.dropout: BPE dropout is not supported"));
}

BOOST_AUTO_TEST_CASE(unsupported_decoder) {
    json file = small_tokenizer();
    file["decoder"] = {{"type", "WordPiece"}};
    BOOST_TEST(contains(load_error(file), "decoder.type: unsupported decoder type \"WordPiece\""));
}

BOOST_AUTO_TEST_CASE(vocabulary_ids_must_be_integers) {
    json file = small_tokenizer();
    file["model"]["vocab"]["a"] = "one";
    BOOST_TEST(contains(load_error(file),
                        "model.vocab[\"a\"]: expected an integer, found the string \"one\""));
}
