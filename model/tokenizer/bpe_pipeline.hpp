// The parts of a tokenizer.json tokenizer, in the order text passes through them, and the
// tokenizer that runs them. pipeline_json.cpp builds the parts from the file.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/tokenizer/added_tokens.hpp"
#include "model/tokenizer/bpe_model.hpp"
#include "model/tokenizer/decoder.hpp"
#include "model/tokenizer/normalizer.hpp"
#include "model/tokenizer/pre_tokenizer.hpp"
#include "model/tokenizer/tokenizer.hpp"

namespace ssmscope::model {

struct BpePipeline {
    AddedTokenMatcher raw_added;         // added tokens found in the text as given
    Normalizer normalizer;               // applied to the text between them
    AddedTokenMatcher normalized_added;  // added tokens found in the normalized text
    PreTokenizer pre_tokenizer;          // cuts what is left into words
    std::unique_ptr<BpeModel> model;     // tokenizes each word
    // The post-processor's template: ids around every encoded text (a BOS, say).
    std::vector<std::int64_t> prefix;
    std::vector<std::int64_t> suffix;
    // The token string of each id (added tokens as written) and the decoder that turns a list
    // of them into text.
    std::unordered_map<std::int64_t, std::string> tokens;
    Decoder decoder;
    std::optional<std::int64_t> eos;
    std::int64_t vocab_size = 0;
    std::string source;  // the file, for description() and messages
};

std::unique_ptr<Tokenizer> make_bpe_tokenizer(BpePipeline pipeline);

}  // namespace ssmscope::model
