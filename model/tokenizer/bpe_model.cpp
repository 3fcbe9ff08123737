#include "model/tokenizer/bpe_model.hpp"

#include <cstdio>
#include <mutex>
#include <queue>

namespace ssmscope::model {

namespace {

// HF's cache limits: enough for the common words of a corpus, bounded memory.
constexpr std::size_t cache_capacity = 10000;
constexpr std::size_t cache_max_word_bytes = 256;

std::uint64_t pair_key(std::int64_t left, std::int64_t right) {
    return (static_cast<std::uint64_t>(left) << 32) | static_cast<std::uint64_t>(right);
}

// A merge waiting in the queue: the pair starting at symbol `pos`.
struct Candidate {
    std::uint32_t rank;
    std::size_t pos;
    std::int64_t merged;
    // std::priority_queue pops the largest: make that the lowest rank, then the leftmost.
    bool operator<(const Candidate& other) const {
        return rank != other.rank ? rank > other.rank : pos > other.pos;
    }
};

}  // namespace

// One token of the word being merged, in a doubly linked list over the initial positions;
// `bytes` == 0 marks a symbol merged into its left neighbour.
struct BpeModel::Symbol {
    std::int64_t id;
    std::ptrdiff_t prev;
    std::ptrdiff_t next;
    std::size_t bytes;
};

BpeModel::BpeModel(Vocab vocab, const std::vector<Merge>& merges, Options options)
    : vocab_(std::move(vocab)), options_(options) {
    rules_.reserve(merges.size());
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const Merge& m = merges[rank];
        rules_.insert_or_assign(pair_key(m.left, m.right),
                                Rule{static_cast<std::uint32_t>(rank), m.merged});
    }
}

const BpeModel::Rule* BpeModel::rule(std::int64_t left, std::int64_t right) const {
    const auto it = rules_.find(pair_key(left, right));
    return it == rules_.end() ? nullptr : &it->second;
}

std::vector<BpeModel::Symbol> BpeModel::initial_symbols(std::string_view word) const {
    std::vector<Symbol> symbols;
    const auto add = [&](std::int64_t id, std::size_t bytes) {
        const auto n = static_cast<std::ptrdiff_t>(symbols.size());
        if (!symbols.empty())
            symbols.back().next = n;
        symbols.push_back({id, n - 1, -1, bytes});
    };
    std::optional<std::pair<std::int64_t, std::size_t>> pending_unk;  // id, bytes covered
    std::size_t i = 0;
    while (i < word.size()) {
        // Characters are at most 4 bytes; the lead byte says how many.
        const auto lead = static_cast<unsigned char>(word[i]);
        const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        const std::string_view c = word.substr(i, length);
        i += length;
        if (const auto it = vocab_.find(c); it != vocab_.end()) {
            if (pending_unk) {
                add(pending_unk->first, pending_unk->second);
                pending_unk.reset();
            }
            add(it->second, length);
            continue;
        }
        if (options_.byte_fallback) {
            std::vector<std::int64_t> byte_ids;
            for (const char b : c) {
                char name[8];
                std::snprintf(name, sizeof name, "<0x%02X>", static_cast<unsigned char>(b));
                if (const auto it = vocab_.find(std::string_view(name)); it != vocab_.end())
                    byte_ids.push_back(it->second);
            }
            if (byte_ids.size() == c.size()) {
                if (pending_unk) {
                    add(pending_unk->first, pending_unk->second);
                    pending_unk.reset();
                }
                for (const std::int64_t id : byte_ids)
                    add(id, 1);
                continue;
            }
        }
        if (!options_.unk_id)
            continue;
        if (pending_unk && options_.fuse_unk) {
            pending_unk->second += length;
            continue;
        }
        if (pending_unk)
            add(pending_unk->first, pending_unk->second);
        pending_unk = {*options_.unk_id, length};
    }
    if (pending_unk)
        add(pending_unk->first, pending_unk->second);
    return symbols;
}

// HF's Word::merge_all: a queue of candidate merges ordered by (rank, position). Entries can go
// stale when a neighbour merged first; they are recognised by the pair no longer producing the
// same token, and skipped.
void BpeModel::merge_all(std::vector<Symbol>& symbols) const {
    std::priority_queue<Candidate> queue;
    for (std::size_t pos = 0; pos + 1 < symbols.size(); ++pos)
        if (const Rule* r = rule(symbols[pos].id, symbols[pos + 1].id))
            queue.push({r->rank, pos, r->merged});

    while (!queue.empty()) {
        const Candidate top = queue.top();
        queue.pop();
        Symbol& left = symbols[top.pos];
        if (left.bytes == 0 || left.next < 0)
            continue;
        const auto right_pos = static_cast<std::size_t>(left.next);
        const Symbol right = symbols[right_pos];
        const Rule* current = rule(left.id, right.id);
        if (current == nullptr || current->merged != top.merged)
            continue;

        left.id = top.merged;
        left.bytes += right.bytes;
        left.next = right.next;
        symbols[right_pos].bytes = 0;
        if (right.next >= 0)
            symbols[static_cast<std::size_t>(right.next)].prev =
                static_cast<std::ptrdiff_t>(top.pos);

        if (left.prev >= 0) {
            const auto prev_pos = static_cast<std::size_t>(left.prev);
            if (const Rule* r = rule(symbols[prev_pos].id, left.id))
                queue.push({r->rank, prev_pos, r->merged});
        }
        if (left.next >= 0)
            if (const Rule* r = rule(left.id, symbols[static_cast<std::size_t>(left.next)].id))
                queue.push({r->rank, top.pos, r->merged});
    }
}

void BpeModel::tokenize(std::string_view word, std::vector<std::int64_t>& ids) const {
    if (word.empty())
        return;
    if (options_.ignore_merges)
        if (const auto it = vocab_.find(word); it != vocab_.end()) {
            ids.push_back(it->second);
            return;
        }
    {
        std::shared_lock lock(cache_mutex_);
        if (const auto it = cache_.find(word); it != cache_.end()) {
            ids.insert(ids.end(), it->second.begin(), it->second.end());
            return;
        }
    }

    std::vector<Symbol> symbols = initial_symbols(word);
    merge_all(symbols);
    std::vector<std::int64_t> word_ids;
    for (const Symbol& s : symbols)
        if (s.bytes != 0)
            word_ids.push_back(s.id);
    ids.insert(ids.end(), word_ids.begin(), word_ids.end());

    if (word.size() < cache_max_word_bytes) {
        std::unique_lock lock(cache_mutex_);
        if (cache_.size() < cache_capacity)
            cache_.emplace(std::string(word), std::move(word_ids));
    }
}

}  // namespace ssmscope::model
