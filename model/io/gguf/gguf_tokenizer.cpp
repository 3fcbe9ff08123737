#include "model/io/gguf/gguf_tokenizer.hpp"

#include <unordered_map>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/io/gguf/gguf_metadata.hpp"

namespace ssmscope::model {

namespace {

// llama.cpp's token types (llama_token_type).
enum TokenType : std::int64_t {
    kNormal = 1,
    kUnknown = 2,
    kControl = 3,
    kUserDefined = 4,
    kUnused = 5,
    kByte = 6,
};

// JSON text must be UTF-8; a token that is not could not be written (nor match any text).
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (s.size() - i <= n)
            return false;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

[[noreturn]] void fail(const GgufFile& f, const std::string& field, const std::string& what) {
    throw InputError(str(f.path().string(), ": metadata '", field, "': ", what), f.path().string());
}

const GgufValue& string_array(const GgufFile& f, const char* key) {
    const GgufValue* v = f.find(key);
    if (!v || v->type != GgufValueType::Array || v->item_type != GgufValueType::String)
        meta_fail(f, key, "an array of strings");
    return *v;
}

}  // namespace

GgufTokenizer gguf_tokenizer(const GgufFile& f) {
    const auto model = meta_string(f, "tokenizer.ggml.model");
    if (!model)
        return {{}, "no tokenizer (tokenizer.ggml.model is missing)"};
    if (*model != "gpt2") {
        return {{},
                str("tokenizer.ggml.model \"", *model,
                    "\" is not read (only \"gpt2\", byte-level BPE); no tokenizer")};
    }
    const GgufValue& tokens = string_array(f, "tokenizer.ggml.tokens");
    const GgufValue* types = f.find("tokenizer.ggml.token_type");
    if (types) {
        if (types->type != GgufValueType::Array ||
            (types->item_type != GgufValueType::I32 && types->item_type != GgufValueType::U32)) {
            meta_fail(f, "tokenizer.ggml.token_type", "an array of int32");
        }
        if (types->count != tokens.count) {
            meta_fail(f, "tokenizer.ggml.token_type",
                      str("one type per token (", tokens.count, ")"));
        }
    }

    nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
    nlohmann::ordered_json added = nlohmann::ordered_json::array();
    std::unordered_map<std::string_view, std::uint64_t> seen;
    nlohmann::ordered_json unk = nullptr;
    for (std::uint64_t id = 0; id < tokens.count; ++id) {
        const std::string& text = tokens.strings[static_cast<std::size_t>(id)];
        std::int64_t type = kNormal;
        if (types) {
            const GgufValue t = types->item(id);
            type = t.type == GgufValueType::I32 ? t.i : static_cast<std::int64_t>(t.u);
        }
        if (type == kUnused)
            continue;  // the converter's [PAD{id}] rows
        const std::string field = str("tokenizer.ggml.tokens[", id, "]");
        if (!valid_utf8(text))
            fail(f, field, "not valid UTF-8");
        if (text.empty())
            fail(f, field, "an empty token");
        if (const auto [it, fresh] = seen.emplace(text, id); !fresh)
            fail(f, field, str("the token also has id ", it->second));
        vocab[text] = id;
        if (type == kControl || type == kUserDefined) {
            added.push_back({{"id", id},
                             {"content", text},
                             {"single_word", false},
                             {"lstrip", false},
                             {"rstrip", false},
                             {"normalized", false},
                             {"special", type == kControl}});
        } else if (type == kUnknown) {
            unk = text;
        } else if (type != kNormal && type != kByte) {
            fail(f, str("tokenizer.ggml.token_type[", id, "]"),
                 str("expected a token type 1 to 6, found ", type));
        }
    }
    nlohmann::ordered_json merges = nlohmann::ordered_json::array();
    if (f.find("tokenizer.ggml.merges")) {
        const GgufValue& m = string_array(f, "tokenizer.ggml.merges");
        for (std::uint64_t k = 0; k < m.count; ++k) {
            const std::string& merge = m.strings[static_cast<std::size_t>(k)];
            const std::string field = str("tokenizer.ggml.merges[", k, "]");
            if (!valid_utf8(merge))
                fail(f, field, "not valid UTF-8");
            if (merge.find(' ') == std::string::npos || merge.front() == ' ' ||
                merge.back() == ' ') {
                fail(f, field, "expected two tokens separated by a space");
            }
            merges.push_back(merge);
        }
    }

    const nlohmann::ordered_json byte_level = {{"type", "ByteLevel"},
                                               {"add_prefix_space", false},
                                               {"trim_offsets", true},
                                               {"use_regex", true}};
    nlohmann::ordered_json j;
    j["version"] = "1.0";
    j["added_tokens"] = std::move(added);
    j["normalizer"] = nullptr;
    j["pre_tokenizer"] = byte_level;
    j["post_processor"] = nullptr;
    j["decoder"] = byte_level;
    j["model"] = {{"type", "BPE"},
                  {"dropout", nullptr},
                  {"unk_token", unk},
                  {"continuing_subword_prefix", nullptr},
                  {"end_of_word_suffix", nullptr},
                  {"fuse_unk", false},
                  {"byte_fallback", false},
                  {"vocab", std::move(vocab)},
                  {"merges", std::move(merges)}};
    return {j.dump(), {}};
}

}  // namespace ssmscope::model
