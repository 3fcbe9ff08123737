#include "model/tokenizer/choose_tokenizer.hpp"

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/tokenizer/bpe_tokenizer.hpp"
#include "model/tokenizer/byte_tokenizer.hpp"

namespace ssmscope::model {

namespace {

// Stands in where no tokenizer fits the model: ids pass, text is refused with the reason.
class NoTokenizer final : public Tokenizer {
  public:
    NoTokenizer(std::string reason, std::int64_t vocab)
        : reason_(std::move(reason)), vocab_(vocab) {}

    std::vector<std::int64_t> encode(std::string_view) const override { refuse("text input"); }
    std::string decode(std::span<const std::int64_t>) const override { refuse("text output"); }
    std::int64_t vocab_size() const override { return vocab_; }
    std::optional<std::int64_t> eos_id() const override { return std::nullopt; }
    std::string description() const override { return str("none (", reason_, ")"); }

  private:
    [[noreturn]] void refuse(std::string_view what) const {
        throw InputError(str(what, " needs a tokenizer: ", reason_,
                             "; pass --tokenizer FILE (a tokenizer.json), or give token ids "
                             "with --tokens"));
    }

    std::string reason_;
    std::int64_t vocab_;
};

}  // namespace

TokenizerChoice choose_tokenizer(const TokenizerSources& s) {
    TokenizerChoice c;
    if (!s.file.empty()) {
        c.tokenizer = load_tokenizer_json(s.file);
    } else if (!s.checkpoint_text.empty()) {
        try {
            c.tokenizer = parse_tokenizer_json(s.checkpoint_text, s.checkpoint_source);
        } catch (const InputError& e) {
            c.warnings.push_back(str("the checkpoint's tokenizer cannot be used (", e.what(),
                                     "); token ids (--tokens) still work, text needs "
                                     "--tokenizer FILE"));
            c.tokenizer = std::make_unique<NoTokenizer>(e.what(), s.model_vocab);
        }
    } else if (s.model_vocab > kByteTokenizerMaxVocab) {
        c.tokenizer = std::make_unique<NoTokenizer>(
            str("the checkpoint has no tokenizer.json and its vocabulary of ", s.model_vocab,
                " tokens is not the byte tokenizer's (257)"),
            s.model_vocab);
    } else {
        c.tokenizer = make_byte_tokenizer();
    }
    if (c.tokenizer->vocab_size() > s.model_vocab)
        c.warnings.push_back(str("the tokenizer (", c.tokenizer->description(), ") has ids up to ",
                                 c.tokenizer->vocab_size() - 1, ", beyond the ", s.model_vocab,
                                 " rows of the embedding"));
    return c;
}

}  // namespace ssmscope::model
