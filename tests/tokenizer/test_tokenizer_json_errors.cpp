// One test per kind of malformed tokenizer.json: each checks that the InputError names the file
// and the field at fault. Then the JSON reader of base/ that tokenizer.json, config.json and the
// safetensors headers share: paths, missing vs wrong kind, fallbacks, the strict parse.
#include <cmath>
#include <limits>
#include <string>

#include <boost/test/unit_test.hpp>

#include "base/json_parse.hpp"
#include "base/json_reader.hpp"
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
    BOOST_TEST(contains(e, "tokenizer.json: not valid JSON: "), e);
}

BOOST_AUTO_TEST_CASE(missing_model) {
    json file = small_tokenizer();
    file.erase("model");
    BOOST_TEST(contains(load_error(file), "tokenizer.json: model: missing (expected an object)"));
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

BOOST_AUTO_TEST_CASE(unsupported_sentencepiece_components) {
    // The SentencePiece-style components are read, but only in the forms HF writes for Llama and
    // Mistral; a variant that would tokenize differently is refused, naming the field.
    json file = small_tokenizer();
    file["normalizer"] = {{"type", "Replace"}, {"pattern", {{"Regex", " +"}}}, {"content", "_"}};
    std::string e = load_error(file);
    BOOST_TEST(contains(e, "normalizer.pattern: only a String pattern is supported"), e);
    file = small_tokenizer();
    file["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "ab"}};
    e = load_error(file);
    BOOST_TEST(contains(e, "pre_tokenizer.replacement: expected one character, found \"ab\""), e);
    file = small_tokenizer();
    file["pre_tokenizer"] = {{"type", "Metaspace"}, {"prepend_scheme", "sometimes"}};
    e = load_error(file);
    BOOST_TEST(contains(e, "pre_tokenizer.prepend_scheme: unknown prepend_scheme \"sometimes\""),
               e);
    file = small_tokenizer();
    file["decoder"] = {{"type", "Sequence"},
                       {"decoders",
                        {{{"type", "ByteFallback"}},
                         {{"type", "Strip"}, {"content", " "}, {"start", -1}, {"stop", 0}}}}};
    e = load_error(file);
    BOOST_TEST(contains(e, "decoder.decoders[1].start: expected a count of 0 or more"), e);
    file = small_tokenizer();
    file["decoder"] = {{"type", "Sequence"}, {"decoders", {{{"type", "CTC"}}}}};
    e = load_error(file);
    BOOST_TEST(contains(e, "decoder.decoders[0].type: unsupported decoder type \"CTC\""), e);
    file = small_tokenizer();
    file.erase("decoder");
    e = load_error(file);
    BOOST_TEST(contains(e, "decoder: missing; expected a decoder"), e);
}

BOOST_AUTO_TEST_CASE(vocabulary_ids_must_be_integers) {
    json file = small_tokenizer();
    file["model"]["vocab"]["a"] = "one";
    BOOST_TEST(contains(load_error(file),
                        "model.vocab[\"a\"]: expected an integer, found the string \"one\""));
}

// The JSON reader itself. Messages are compared whole: "<file>: <path>: ...".

namespace {

// The message of the InputError that `f` throws; its subject must be the file.
template <typename F>
std::string reader_error(F&& f) {
    try {
        f();
    } catch (const InputError& e) {
        BOOST_TEST(e.subject() == "f.json");
        return e.what();
    }
    BOOST_ERROR("expected an InputError");
    return {};
}

const json kDocument = json::parse(R"({
  "a": {"b": [1, {"c": "x"}]},
  "vocab": {"Ġthe": 7, "two words": 8},
  "n": null, "k": 3, "s": "x", "t": false, "x": 2.5, "zero": 0,
  "big": 18446744073709551615
})");

}  // namespace

BOOST_AUTO_TEST_CASE(reader_paths_name_members_elements_and_entries) {
    const JsonNode root(kDocument, "f.json");
    BOOST_TEST(root.path() == "");
    BOOST_TEST(root["a"]["b"][1]["c"].path() == "a.b[1].c");
    BOOST_TEST(root["a"]["b"][1]["c"].string() == "x");
    BOOST_TEST(root["vocab"].entry("Ġthe").path() == "vocab[\"Ġthe\"]");
    BOOST_TEST(root["vocab"].entry("two words").integer() == 8);
    BOOST_TEST(JsonNode(kDocument, "f.json", "header")["a"].path() == "header.a");
    BOOST_TEST(reader_error([&] { root["a"]["b"][1]["c"].integer(); }) ==
               "f.json: a.b[1].c: expected an integer, found the string \"x\"");
    BOOST_TEST(reader_error([&] { root["vocab"].entry("Ġthe").string(); }) ==
               "f.json: vocab[\"Ġthe\"]: expected a string, found the number 7");
    BOOST_TEST(reader_error([&] { root.size(); }) ==
               "f.json: top level: expected an array, found an object");
    BOOST_TEST(reader_error([&] { JsonNode(kDocument, "f.json", "header")["k"].fail("odd"); }) ==
               "f.json: header.k: odd");
    // Navigating through a value of the wrong kind names that value.
    BOOST_TEST(reader_error([&] { root["k"]["deeper"]; }) ==
               "f.json: k: expected an object, found the number 3");
    BOOST_TEST(reader_error([&] { root["a"][0]; }) ==
               "f.json: a: expected an array, found an object");
}

BOOST_AUTO_TEST_CASE(reader_tells_missing_from_the_wrong_kind) {
    const JsonNode root(kDocument, "f.json");
    BOOST_TEST(root["nope"].is_absent());
    BOOST_TEST(reader_error([&] { root["nope"].string(); }) ==
               "f.json: nope: missing (expected a string)");
    BOOST_TEST(reader_error([&] { root["a"]["b"][5].integer(); }) ==
               "f.json: a.b[5]: missing (expected an integer)");
    BOOST_TEST(reader_error([&] { root["vocab"].entry("q").integer(); }) ==
               "f.json: vocab[\"q\"]: missing (expected an integer)");
    BOOST_TEST(reader_error([&] { root["n"].boolean(); }) ==
               "f.json: n: expected true or false, found null");
    BOOST_TEST(reader_error([&] { root["a"].number(); }) ==
               "f.json: a: expected a number, found an object");
    BOOST_TEST(reader_error([&] { root["zero"].positive_integer(); }) ==
               "f.json: zero: expected a positive integer, found the number 0");
    BOOST_TEST(reader_error([&] { root["x"].positive_integer(); }) ==
               "f.json: x: expected a positive integer, found the number 2.5");
    // An integer beyond 64 signed bits is not read as a wrapped-around one.
    BOOST_TEST(reader_error([&] { root["big"].integer(); }) ==
               "f.json: big: expected an integer, found the number 18446744073709551615");
    BOOST_TEST(reader_error([&] { root["k"].expected("an even number"); }) ==
               "f.json: k: expected an even number, found the number 3");
}

BOOST_AUTO_TEST_CASE(reader_fallbacks_for_absent_and_null) {
    const JsonNode root(kDocument, "f.json");
    for (const char* key : {"absent", "n"}) {
        const JsonNode v = root[key];
        BOOST_TEST(v.is_null());
        BOOST_TEST(v.string_or("d") == "d");
        BOOST_TEST(v.positive_integer_or(5) == 5);
        BOOST_TEST(v.number_or(0.25) == 0.25);
        BOOST_TEST(v.boolean_or(true) == true);
        BOOST_TEST(!v.optional_integer().has_value());
        BOOST_TEST((v.range_or({1.0, 2.0}) == std::pair{1.0, 2.0}));
        // A section that may be left out reads as its members' fallbacks.
        BOOST_TEST(v.object_or_empty()["inner"].positive_integer_or(9) == 9);
        BOOST_TEST(v.object_or_empty()["inner"].path() == std::string(key) + ".inner");
    }
    BOOST_TEST(root["s"].string_or("d") == "x");
    BOOST_TEST(root["k"].positive_integer_or(5) == 3);
    BOOST_TEST(root["x"].number_or(0.25) == 2.5);
    BOOST_TEST(root["t"].boolean_or(true) == false);
    BOOST_TEST(root["k"].optional_integer().value() == 3);
    // A value that is there must be of the kind asked for, fallback or not...
    BOOST_TEST(reader_error([&] { root["s"].number_or(1); }) ==
               "f.json: s: expected a number, found the string \"x\"");
    BOOST_TEST(reader_error([&] { root["zero"].positive_integer_or(4); }) ==
               "f.json: zero: expected a positive integer, found the number 0");
    BOOST_TEST(reader_error([&] { root["s"].optional_integer(); }) ==
               "f.json: s: expected an integer, found the string \"x\"");
    BOOST_TEST(reader_error([&] { root["k"].object_or_empty(); }) ==
               "f.json: k: expected an object, found the number 3");
    // ...except for the lenient optional integer, which leaves the value to another read.
    BOOST_TEST(!root["s"].optional_integer(/*strict=*/false).has_value());
}

BOOST_AUTO_TEST_CASE(reader_range_takes_infinity_as_a_string) {
    const auto read = [](const std::string& text) {
        const json doc = json::parse(R"({"r": )" + text + "}");
        return JsonNode(doc, "f.json")["r"].range_or({0.0, 1.0});
    };
    const double inf = std::numeric_limits<double>::infinity();
    BOOST_TEST((read(R"([0.5, "Infinity"])") == std::pair{0.5, inf}));
    BOOST_TEST((read(R"([0, "inf"])") == std::pair{0.0, inf}));
    BOOST_TEST((read(R"(["-Infinity", 1])") == std::pair{-inf, 1.0}));
    BOOST_TEST((read(R"(["-inf", "inf"])") == std::pair{-inf, inf}));
    BOOST_TEST(reader_error([&] { read("[2, 1]"); }) ==
               "f.json: r: expected low <= high, found [2, 1]");
    BOOST_TEST(reader_error([&] { read(R"([1, "big"])"); }) ==
               "f.json: r[1]: expected a number (or \"inf\", \"Infinity\", \"-inf\", "
               "\"-Infinity\"), found the string \"big\"");
    BOOST_TEST(reader_error([&] { read("[1]"); }) ==
               "f.json: r: expected an array [low, high] of two numbers, found an array of 1 "
               "element");
    BOOST_TEST(reader_error([&] { read("3"); }) ==
               "f.json: r: expected an array [low, high] of two numbers, found the number 3");
}

BOOST_AUTO_TEST_CASE(strict_parse_rejects_duplicate_keys_at_any_depth) {
    const auto strict_error = [](const std::string& text, const std::string& root = {}) {
        return reader_error([&] { parse_json_object(text, "f.json", root); });
    };
    BOOST_TEST(strict_error(R"({"x": 1, "x": 2})") == "f.json: top level: key \"x\" appears twice");
    BOOST_TEST(strict_error(R"({"x": 1, "x": 2})", "header") ==
               "f.json: header: key \"x\" appears twice");
    BOOST_TEST(strict_error(R"({"a": {"list": [1, {"k": 1}, {"k": 1, "k": 2}]}})") ==
               "f.json: a.list[2]: key \"k\" appears twice");
    BOOST_TEST(strict_error(R"({"w": {"a.b": {"z": 1, "z": 1}}})", "header") ==
               "f.json: header.w[\"a.b\"]: key \"z\" appears twice");
    // The same key in two different objects is no duplicate.
    BOOST_TEST(
        parse_json_object(R"({"a": {"k": 1}, "b": {"k": 1}, "k": [{"k": 1}]})", "f.json").size() ==
        3u);
    BOOST_TEST(strict_error("[1]") ==
               "f.json: top level: expected an object, found an array of 1 element");
    BOOST_TEST(strict_error("[1]", "header") ==
               "f.json: header: expected an object, found an array of 1 element");
    const std::string bad = strict_error(R"({"a": )");
    BOOST_TEST(bad.starts_with("f.json: not valid JSON: "), bad);
    BOOST_TEST(!contains(bad, "[json.exception"), bad);
    BOOST_TEST(strict_error(R"({"a": )", "header").starts_with("f.json: header: not valid JSON: "));
    // The lenient parse keeps the library's behaviour: the last of two keys wins.
    BOOST_TEST(parse_json(R"({"x": 1, "x": 2})", "f.json")["x"] == 2);
    BOOST_TEST(
        reader_error([&] { parse_json("{", "f.json"); }).starts_with("f.json: not valid JSON: "));
}

BOOST_AUTO_TEST_CASE(messages_stay_text_whatever_the_bytes) {
    const std::string replacement = "\xEF\xBF\xBD";  // U+FFFD
    const json doc = {{"v",
                       {{std::string("a\xFF"
                                     "b"),
                         "x"}}}};
    BOOST_TEST(reader_error([&] {
                   JsonNode(doc, "f.json")["v"]
                       .entry(
                           "a\xFF"
                           "b")
                       .integer();
               }) ==
               "f.json: v[\"a" + replacement + "b\"]: expected an integer, found the string \"x\"");
    BOOST_TEST(json_kind(json(std::string("\xC3"))) == "the string \"" + replacement + "\"");
    // The library quotes the bytes near a parse error; the message keeps only printable ASCII.
    const std::string e = reader_error([&] { parse_json_object("{\"a\": \xFF\x01}", "f.json"); });
    BOOST_TEST(e.starts_with("f.json: not valid JSON: "), e);
    for (const char c : e)
        BOOST_TEST((c >= 32 && c <= 126));
    // Long strings are cut, never inside a UTF-8 sequence.
    BOOST_TEST(json_kind(json(std::string(100, 'a'))) ==
               "the string \"" + std::string(60, 'a') + "\"...");
    BOOST_TEST(json_kind(json(std::string(59, 'a') + "é" + "tail")) ==
               "the string \"" + std::string(59, 'a') + "\"...");
}

BOOST_AUTO_TEST_CASE(json_kind_names_each_kind) {
    BOOST_TEST(json_kind(json()) == "null");
    BOOST_TEST(json_kind(json(true)) == "true");
    BOOST_TEST(json_kind(json(2.5)) == "the number 2.5");
    BOOST_TEST(json_kind(json(-4)) == "the number -4");
    BOOST_TEST(json_kind(json::array()) == "an empty array");
    BOOST_TEST(json_kind(json::array({1, 2})) == "an array of 2 elements");
    BOOST_TEST(json_kind(json::object()) == "an object");
    BOOST_TEST(quoted("say \"hi\"") == "\"say \\\"hi\\\"\"");
}
