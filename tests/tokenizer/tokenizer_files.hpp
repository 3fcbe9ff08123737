// A small hand-made byte-level BPE tokenizer.json, in the layout of GPT-NeoX's, for the tests to
// write and vary.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace ssmscope::test {

// Vocabulary (GPT-2 byte symbols: "Ġ" is a space, "Ċ" a newline, "Ã©" the bytes C3 A9 of "é",
// "Ì" "ģ" the bytes CC 81 of U+0301):
//    0 <|endoftext|>   1 a   2 b   3 c   4 d   5 e   6 h   7 l   8 o   9 n  10 t  11 '
//   12 1  13 2  14 3  15 !  16 ?  17 Ġ  18 Ċ  19 Ã  20 ©  21 Ì  22 ģ
// and one token per merge, id 23 + rank:
//   rank  0: b c     -> 23 bc         rank  9: Ġ Ġ    -> 32 ĠĠ
//   rank  1: a b     -> 24 ab         rank 10: Ã ©    -> 33 Ã©
//   rank  2: a a     -> 25 aa         rank 11: h Ã©   -> 34 hÃ©
//   rank  3: l l     -> 26 ll         rank 12: Ġ 1    -> 35 Ġ1
//   rank  4: h e     -> 27 he         rank 13: Ġ1 2   -> 36 Ġ12
//   rank  5: he ll   -> 28 hell       rank 14: 1 2    -> 37 12
//   rank  6: hell o  -> 29 hello      rank 15: Ġ a    -> 38 Ġa
//   rank  7: n '     -> 30 n'         rank 16: ! !    -> 39 !!
//   rank  8: ' t     -> 31 't         rank 17: Ċ Ċ    -> 40 ĊĊ
// <|endoftext|> is also a special added token. Normalizer NFC; pre-tokenizer and decoder
// ByteLevel without a prefix space, as in GPT-NeoX.
inline nlohmann::json small_tokenizer() {
    const char* base[] = {"<|endoftext|>",
                          "a",
                          "b",
                          "c",
                          "d",
                          "e",
                          "h",
                          "l",
                          "o",
                          "n",
                          "t",
                          "'",
                          "1",
                          "2",
                          "3",
                          "!",
                          "?",
                          "Ġ",
                          "Ċ",
                          "Ã",
                          "©",
                          "Ì",
                          "ģ"};
    const char* merges[][2] = {{"b", "c"},   {"a", "b"},    {"a", "a"}, {"l", "l"},  {"h", "e"},
                               {"he", "ll"}, {"hell", "o"}, {"n", "'"}, {"'", "t"},  {"Ġ", "Ġ"},
                               {"Ã", "©"},   {"h", "Ã©"},   {"Ġ", "1"}, {"Ġ1", "2"}, {"1", "2"},
                               {"Ġ", "a"},   {"!", "!"},    {"Ċ", "Ċ"}};
    nlohmann::json vocab = nlohmann::json::object();
    int id = 0;
    for (const char* token : base)
        vocab[token] = id++;
    nlohmann::json merge_list = nlohmann::json::array();
    for (const auto& m : merges) {
        vocab[std::string(m[0]) + m[1]] = id++;
        merge_list.push_back(std::string(m[0]) + " " + m[1]);
    }
    const nlohmann::json byte_level = {{"type", "ByteLevel"},
                                       {"add_prefix_space", false},
                                       {"trim_offsets", true},
                                       {"use_regex", true}};
    return {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens",
         {{{"id", 0},
           {"content", "<|endoftext|>"},
           {"single_word", false},
           {"lstrip", false},
           {"rstrip", false},
           {"normalized", false},
           {"special", true}}}},
        {"normalizer", {{"type", "NFC"}}},
        {"pre_tokenizer", byte_level},
        {"post_processor", byte_level},
        {"decoder", byte_level},
        {"model",
         {{"type", "BPE"},
          {"dropout", nullptr},
          {"unk_token", nullptr},
          {"continuing_subword_prefix", nullptr},
          {"end_of_word_suffix", nullptr},
          {"fuse_unk", false},
          {"vocab", vocab},
          {"merges", merge_list}}},
    };
}

// The same merges as ["left", "right"] pairs, the format of newer files.
inline nlohmann::json with_pair_merges(nlohmann::json tokenizer) {
    nlohmann::json pairs = nlohmann::json::array();
    for (const auto& m : tokenizer["model"]["merges"]) {
        const std::string s = m.get<std::string>();
        const std::size_t space = s.find(' ');
        pairs.push_back({s.substr(0, space), s.substr(space + 1)});
    }
    tokenizer["model"]["merges"] = pairs;
    return tokenizer;
}

}  // namespace ssmscope::test
