#include "model/train/token_corpus.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/train/demo_corpus.hpp"

namespace ssmscope::model {

std::uint64_t fingerprint(const std::vector<std::int64_t>& tokens) {
    std::uint64_t h = 1469598103934665603ull;
    for (std::int64_t t : tokens) {
        auto v = static_cast<std::uint64_t>(t);
        for (int i = 0; i < 8; ++i, v >>= 8) {
            h ^= v & 0xffu;
            h *= 1099511628211ull;
        }
    }
    return h;
}

TokenCorpus split_corpus(std::vector<std::int64_t> tokens, std::int64_t min_piece,
                         const std::string& source) {
    const auto n = static_cast<std::int64_t>(tokens.size());
    const std::int64_t piece = std::max<std::int64_t>(n / 100, min_piece);
    TokenCorpus c;
    c.fingerprint = fingerprint(tokens);
    for (std::int64_t begin = 0, i = 0; begin < n; begin += piece, ++i) {
        const std::int64_t end = std::min(begin + piece, n);
        auto& part = i % 10 == 9 ? c.validation : c.train;
        part.insert(part.end(), tokens.begin() + begin, tokens.begin() + end);
    }
    const auto shortest = static_cast<std::int64_t>(std::min(c.train.size(), c.validation.size()));
    if (shortest < min_piece) {
        throw InputError(str(source, ": the corpus has ", n, " tokens; it needs at least ",
                             10 * min_piece, " so that the training and validation parts (every ",
                             "10th piece) each hold a window of ", min_piece, " tokens"));
    }
    return c;
}

TokenCorpus load_corpus(const std::string& corpus, const Tokenizer& tokenizer, std::int64_t seq_len,
                        std::int64_t vocab) {
    const std::filesystem::path path =
        corpus == "demo" ? demo_corpus_path() : std::filesystem::path(corpus);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(str(path.string(), ": cannot open the corpus"));
    std::ostringstream text;
    text << in.rdbuf();
    const std::string bytes = text.str();
    if (bytes.empty())
        throw InputError(str(path.string(), ": the corpus is empty"));
    std::vector<std::int64_t> ids = tokenizer.encode(bytes);
    for (std::int64_t id : ids) {
        if (id < 0 || id >= vocab) {
            throw InputError(str(path.string(), ": token ", id, " (", tokenizer.description(),
                                 ") is outside the model's vocabulary of ", vocab));
        }
    }
    TokenCorpus c = split_corpus(std::move(ids), seq_len + 1, path.string());
    c.description =
        str(corpus == "demo" ? "demo corpus " : "", path.string(), " (", bytes.size(), " bytes, ",
            c.train.size(), " training and ", c.validation.size(), " validation tokens)");
    return c;
}

}  // namespace ssmscope::model
