// The text normalizer of a tokenizer.json: a chain of Unicode normal forms (NFC for GPT-NeoX),
// run by ICU.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ssmscope::model {

enum class NormalForm { nfc, nfd, nfkc, nfkd };

class Normalizer {
  public:
    // The forms applied in order; none is the identity.
    explicit Normalizer(std::vector<NormalForm> forms = {});

    // `text` (valid UTF-8) in every form of the chain.
    std::string apply(std::string_view text) const;

    bool is_identity() const { return forms_.empty(); }

  private:
    std::vector<NormalForm> forms_;
};

}  // namespace ssmscope::model
