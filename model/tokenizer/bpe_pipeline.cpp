#include "model/tokenizer/bpe_pipeline.hpp"

#include <filesystem>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/tokenizer/utf8.hpp"

namespace ssmscope::model {

namespace {

class BpeTokenizer final : public Tokenizer {
  public:
    explicit BpeTokenizer(BpePipeline p) : p_(std::move(p)) {}

    std::vector<std::int64_t> encode(std::string_view text) const override {
        require_utf8(text, "the text to tokenize");
        std::vector<std::int64_t> ids = p_.prefix;
        for (const TextPiece& raw : p_.raw_added.split(text)) {
            if (raw.id) {
                ids.push_back(*raw.id);
                continue;
            }
            const std::string normalized = p_.normalizer.apply(raw.text);
            for (const TextPiece& piece : p_.normalized_added.split(normalized)) {
                if (piece.id) {
                    ids.push_back(*piece.id);
                    continue;
                }
                // Whether the piece begins the input (Metaspace's prepend_scheme "first").
                const bool at_start =
                    raw.text.data() == text.data() && piece.text.data() == normalized.data();
                for (const std::string& word : p_.pre_tokenizer.apply(piece.text, at_start))
                    p_.model->tokenize(word, ids);
            }
        }
        ids.insert(ids.end(), p_.suffix.begin(), p_.suffix.end());
        return ids;
    }

    std::string decode(std::span<const std::int64_t> ids) const override {
        return p_.decoder.decode(token_strings(ids), false);
    }

    std::string decode_continuation(std::span<const std::int64_t> ids) const override {
        return p_.decoder.decode(token_strings(ids), true);
    }

    std::int64_t vocab_size() const override { return p_.vocab_size; }
    std::optional<std::int64_t> eos_id() const override { return p_.eos; }
    std::string description() const override {
        return str("BPE, ", p_.vocab_size, " tokens (",
                   std::filesystem::path(p_.source).filename().string(), ")");
    }

  private:
    std::vector<std::string> token_strings(std::span<const std::int64_t> ids) const {
        std::vector<std::string> tokens;
        tokens.reserve(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const auto it = p_.tokens.find(ids[i]);
            if (it == p_.tokens.end())
                throw InputError(str("token id ", ids[i], " (position ", i,
                                     ") is not in the vocabulary of ", p_.source, " (ids 0 to ",
                                     p_.vocab_size - 1, ")"));
            tokens.push_back(it->second);
        }
        return tokens;
    }

    BpePipeline p_;
};

}  // namespace

std::unique_ptr<Tokenizer> make_bpe_tokenizer(BpePipeline pipeline) {
    return std::make_unique<BpeTokenizer>(std::move(pipeline));
}

}  // namespace ssmscope::model
