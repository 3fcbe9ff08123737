// A training corpus as token ids, split deterministically into training and validation parts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/tokenizer/tokenizer.hpp"

namespace ssmscope::model {

struct TokenCorpus {
    std::vector<std::int64_t> train, validation;
    std::uint64_t fingerprint = 0;  // FNV-1a of every token: a resumed run checks it
    std::string description;        // for logs: where the text came from and its size
};

// Cuts `tokens` into 100 pieces (at least `min_piece` tokens each) and puts every 10th piece,
// starting with the 10th, into validation: both parts sample the whole text, and the split
// depends only on the tokens. Throws InputError naming `source` when either part would be
// shorter than `min_piece`.
TokenCorpus split_corpus(std::vector<std::int64_t> tokens, std::int64_t min_piece,
                         const std::string& source);

// `corpus` is a UTF-8 text file or "demo" (demo_corpus.hpp). Each part must hold at least one
// window of seq_len + 1 tokens; every id must be below `vocab` (InputError naming the file).
TokenCorpus load_corpus(const std::string& corpus, const Tokenizer& tokenizer, std::int64_t seq_len,
                        std::int64_t vocab);

std::uint64_t fingerprint(const std::vector<std::int64_t>& tokens);

}  // namespace ssmscope::model
