// The BPE model of a tokenizer.json: splits one pre-token into vocabulary tokens by starting
// from its characters and repeatedly merging the adjacent pair whose merge rule ranks first,
// exactly as HF tokenizers does (lowest rank first, leftmost among equal ranks; pairs formed by
// a merge join the queue).
#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/tokenizer/string_hash.hpp"

namespace ssmscope::model {

using Vocab = std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>>;

class BpeModel {
  public:
    // A merge rule: tokens `left` and `right` become `merged`. Rules are ranked by position.
    struct Merge {
        std::int64_t left;
        std::int64_t right;
        std::int64_t merged;
    };
    struct Options {
        std::optional<std::int64_t> unk_id;  // for characters outside the vocabulary
        bool fuse_unk = false;               // consecutive unknown characters share one unk
        bool byte_fallback = false;          // unknown characters as <0xXX> byte tokens
        bool ignore_merges = false;          // a pre-token in the vocabulary is taken whole
    };

    // Ids must lie in [0, 2^31). A pair that appears in several rules takes the last one's
    // rank, as in HF. Without unk_id, characters that are neither in the vocabulary nor
    // covered by byte_fallback produce no token (as in HF).
    BpeModel(Vocab vocab, const std::vector<Merge>& merges, Options options);

    // Appends the ids of `word`, a pre-token in valid UTF-8. Safe to call from several threads.
    void tokenize(std::string_view word, std::vector<std::int64_t>& ids) const;

    const Vocab& vocab() const { return vocab_; }

  private:
    struct Rule {
        std::uint32_t rank;
        std::int64_t merged;
    };
    struct Symbol;

    std::vector<Symbol> initial_symbols(std::string_view word) const;
    void merge_all(std::vector<Symbol>& symbols) const;
    const Rule* rule(std::int64_t left, std::int64_t right) const;

    Vocab vocab_;
    std::unordered_map<std::uint64_t, Rule> rules_;  // key: left << 32 | right
    Options options_;

    // Recently tokenized pre-tokens: text repeats words, and merging is the costly part.
    mutable std::shared_mutex cache_mutex_;
    mutable std::unordered_map<std::string, std::vector<std::int64_t>, StringHash, std::equal_to<>>
        cache_;
};

}  // namespace ssmscope::model
