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

std::string normal_form(const std::string& text, NormalForm form) {
    std::string next;
    icu::StringByteSink<std::string> sink(&next, static_cast<std::int32_t>(text.size()));
    UErrorCode status = U_ZERO_ERROR;
    // normalizeUTF8 works on the bytes directly, without a round trip through UTF-16.
    instance(form).normalizeUTF8(
        0, icu::StringPiece(text.data(), static_cast<std::int32_t>(text.size())), sink, nullptr,
        status);
    if (U_FAILURE(status))
        throw std::runtime_error(str("ICU normalization: ", u_errorName(status)));
    return next;
}

}  // namespace

Normalizer::Normalizer(std::vector<Step> steps) : steps_(std::move(steps)) {
    for (const Step& step : steps_)
        if (const auto* form = std::get_if<NormalForm>(&step))
            instance(*form);  // fail at load time, not in the middle of encoding, if ICU lacks data
}

std::string Normalizer::apply(std::string_view text) const {
    std::string current(text);
    for (const Step& step : steps_) {
        if (const auto* form = std::get_if<NormalForm>(&step))
            current = normal_form(current, *form);
        else if (const auto* prepend = std::get_if<Prepend>(&step)) {
            if (!current.empty())
                current.insert(0, prepend->text);
        } else {
            const auto& replace = std::get<Replace>(step);
            current = replace_all(current, replace.from, replace.to);
        }
    }
    return current;
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    while (true) {
        const std::size_t hit = text.find(from, at);
        if (hit == std::string_view::npos)
            break;
        out.append(text.substr(at, hit - at));
        out.append(to);
        at = hit + from.size();
    }
    out.append(text.substr(at));
    return out;
}

}  // namespace ssmscope::model
