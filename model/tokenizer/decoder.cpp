#include "model/tokenizer/decoder.hpp"

#include <optional>

#include "model/tokenizer/byte_level.hpp"
#include "model/tokenizer/normalizer.hpp"

namespace ssmscope::model {

namespace {

using Tokens = std::vector<std::string>;

std::string fuse(const Tokens& tokens) {
    std::string all;
    for (const std::string& t : tokens)
        all += t;
    return all;
}

// The byte of a token "<0xXX>" (two hexadecimal digits, either case, as HF parses them).
std::optional<unsigned char> fallback_byte(const std::string& token) {
    if (token.size() != 6 || !token.starts_with("<0x") || token.back() != '>')
        return std::nullopt;
    int value = 0;
    for (const char ch : token.substr(3, 2)) {
        const int digit = ch >= '0' && ch <= '9'   ? ch - '0'
                          : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                          : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                                   : -1;
        if (digit < 0)
            return std::nullopt;
        value = value * 16 + digit;
    }
    return static_cast<unsigned char>(value);
}

Tokens byte_fallback(const Tokens& tokens) {
    Tokens out;
    std::string bytes;
    bool in_run = false;
    for (const std::string& t : tokens) {
        if (const auto b = fallback_byte(t)) {
            bytes += static_cast<char>(*b);
            in_run = true;
            continue;
        }
        if (in_run)
            out.push_back(std::move(bytes));
        bytes.clear();
        in_run = false;
        out.push_back(t);
    }
    if (in_run)
        out.push_back(std::move(bytes));
    return out;
}

void strip(std::string& token, const Decoder::Strip& s, bool keep_front) {
    if (s.content.empty())
        return;
    std::size_t front = 0;
    for (std::size_t k = 0; !keep_front && k < s.start; ++k) {
        if (token.compare(front, s.content.size(), s.content) != 0)
            break;
        front += s.content.size();
    }
    std::size_t back = token.size();
    for (std::size_t k = 0; k < s.stop && back >= front + s.content.size(); ++k) {
        if (token.compare(back - s.content.size(), s.content.size(), s.content) != 0)
            break;
        back -= s.content.size();
    }
    token = token.substr(front, back - front);
}

}  // namespace

Decoder::Decoder(std::vector<Step> steps) : steps_(std::move(steps)) {}

std::string Decoder::decode(Tokens tokens, bool continuation) const {
    // Once fused, the one token is the whole text: its front is the start of the text.
    bool fused = false;
    for (const Step& step : steps_) {
        if (std::holds_alternative<ByteLevel>(step)) {
            std::string bytes;
            for (const std::string& t : tokens)
                bytes += symbols_to_bytes(t).value_or(t);
            tokens = {std::move(bytes)};
            fused = true;
        } else if (const auto* r = std::get_if<Replace>(&step)) {
            for (std::string& t : tokens)
                t = replace_all(t, r->from, r->to);
        } else if (std::holds_alternative<ByteFallback>(step)) {
            tokens = byte_fallback(tokens);
        } else if (std::holds_alternative<Fuse>(step)) {
            tokens = {fuse(tokens)};
            fused = true;
        } else if (const auto* s = std::get_if<Strip>(&step)) {
            for (std::size_t i = 0; i < tokens.size(); ++i)
                strip(tokens[i], *s, continuation && fused && i == 0);
        } else {
            const auto& m = std::get<Metaspace>(step);
            for (std::size_t i = 0; i < tokens.size(); ++i) {
                const bool drop = i == 0 && m.prepend && !continuation;
                tokens[i] = replace_all(tokens[i], m.replacement, drop ? "" : " ");
            }
        }
    }
    return fuse(tokens);
}

}  // namespace ssmscope::model
