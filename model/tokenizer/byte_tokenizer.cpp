#include "model/tokenizer/byte_tokenizer.hpp"

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

namespace {

constexpr std::int64_t eos = 256;

class ByteTokenizer final : public Tokenizer {
  public:
    std::vector<std::int64_t> encode(std::string_view text) const override {
        std::vector<std::int64_t> ids;
        ids.reserve(text.size());
        while (!text.empty()) {
            if (text.starts_with(endoftext)) {
                ids.push_back(eos);
                text.remove_prefix(endoftext.size());
            } else {
                ids.push_back(static_cast<unsigned char>(text.front()));
                text.remove_prefix(1);
            }
        }
        return ids;
    }

    std::string decode(std::span<const std::int64_t> ids) const override {
        std::string text;
        text.reserve(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const std::int64_t id = ids[i];
            if (id == eos)
                text += endoftext;
            else if (id >= 0 && id < eos)
                text += static_cast<char>(static_cast<unsigned char>(id));
            else
                throw InputError(str("token id ", id, " (position ", i,
                                                         ") is not in the byte-level vocabulary",
                                                         " (ids 0 to ", eos, ")"));
        }
        return text;
    }

    std::int64_t vocab_size() const override { return eos + 1; }
    std::optional<std::int64_t> eos_id() const override { return eos; }
    std::string description() const override { return "byte-level (256 bytes + <|endoftext|>)"; }
};

}  // namespace

std::unique_ptr<Tokenizer> make_byte_tokenizer() {
    return std::make_unique<ByteTokenizer>();
}

}  // namespace ssmscope::model
