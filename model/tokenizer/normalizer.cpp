#include "model/tokenizer/normalizer.hpp"

#include <stdexcept>

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>

#include "base/str.hpp"

namespace ssmscope::model {

namespace {

const icu::Normalizer2& instance(NormalForm form) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* normalizer = nullptr;
    switch (form) {
        case NormalForm::nfc:
            normalizer = icu::Normalizer2::getNFCInstance(status);
            break;
        case NormalForm::nfd:
            normalizer = icu::Normalizer2::getNFDInstance(status);
            break;
        case NormalForm::nfkc:
            normalizer = icu::Normalizer2::getNFKCInstance(status);
            break;
        case NormalForm::nfkd:
            normalizer = icu::Normalizer2::getNFKDInstance(status);
            break;
    }
    if (U_FAILURE(status) || normalizer == nullptr)
        throw std::runtime_error(str("ICU normalizer data: ", u_errorName(status)));
    return *normalizer;
}

}  // namespace

Normalizer::Normalizer(std::vector<NormalForm> forms) : forms_(std::move(forms)) {
    for (const NormalForm form : forms_)
        instance(form);  // fail at load time, not in the middle of encoding, if ICU lacks data
}

std::string Normalizer::apply(std::string_view text) const {
    std::string current(text);
    for (const NormalForm form : forms_) {
        std::string next;
        icu::StringByteSink<std::string> sink(&next, static_cast<std::int32_t>(current.size()));
        UErrorCode status = U_ZERO_ERROR;
        // normalizeUTF8 works on the bytes directly, without a round trip through UTF-16.
        instance(form).normalizeUTF8(
            0, icu::StringPiece(current.data(), static_cast<std::int32_t>(current.size())), sink,
            nullptr, status);
        if (U_FAILURE(status))
            throw std::runtime_error(str("ICU normalization: ", u_errorName(status)));
        current = std::move(next);
    }
    return current;
}

}  // namespace ssmscope::model
