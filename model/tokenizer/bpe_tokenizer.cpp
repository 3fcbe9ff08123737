#include "model/tokenizer/bpe_tokenizer.hpp"

#include <fstream>
#include <iterator>

#include "base/error.hpp"
#include "base/json_parse.hpp"
#include "base/json_reader.hpp"
#include "base/str.hpp"
#include "model/tokenizer/bpe_pipeline.hpp"
#include "model/tokenizer/byte_tokenizer.hpp"
#include "model/tokenizer/pipeline_json.hpp"

namespace ssmscope::model {

namespace {

// Ids index 32-bit merge keys (bpe_model.cpp), as they do in HF tokenizers.
constexpr std::int64_t max_id = (std::int64_t{1} << 31) - 1;

using IdTokens = std::unordered_map<std::int64_t, std::string>;

std::int64_t read_id(const JsonNode& node) {
    const std::int64_t id = node.integer();
    if (id < 0 || id > max_id)
        node.fail(str("id ", id, " is out of range (0 to ", max_id, ")"));
    return id;
}

// Records that `id` names `token`; an id can name only one token.
void claim_id(IdTokens& owners, std::int64_t id, const std::string& token, const JsonNode& where) {
    const auto [it, inserted] = owners.emplace(id, token);
    if (!inserted && it->second != token)
        where.fail(str("duplicate id: ", id, " is already the id of ", quoted(it->second)));
}

Vocab read_vocab(const JsonNode& node, IdTokens& owners) {
    Vocab vocab;
    for (const auto& [token, value] : node.object()) {
        const JsonNode entry = node.entry(token);
        const std::int64_t id = read_id(entry);
        claim_id(owners, id, token, entry);
        vocab.emplace(token, id);
    }
    if (vocab.empty())
        node.fail("the vocabulary is empty");
    return vocab;
}

std::int64_t vocab_id(const Vocab& vocab, const std::string& token, const JsonNode& where,
                      std::string_view role) {
    const auto it = vocab.find(token);
    if (it == vocab.end())
        where.fail(str(role, quoted(token), " is not in model.vocab"));
    return it->second;
}

// A merge rule, "left right" (one space) or ["left", "right"].
std::pair<std::string, std::string> read_merge_tokens(const JsonNode& node) {
    const nlohmann::json& v = node.json();
    if (v.is_string()) {
        const std::string& s = v.get_ref<const std::string&>();
        const std::size_t space = s.find(' ');
        if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
            node.fail(str("expected two tokens separated by one space, found ", quoted(s)));
        return {s.substr(0, space), s.substr(space + 1)};
    }
    if (v.is_array() && v.size() == 2)
        return {node[std::size_t{0}].string(), node[std::size_t{1}].string()};
    node.fail(str("expected a merge of two tokens, \"a b\" or [\"a\", \"b\"], found ", v.dump()));
}

std::vector<BpeModel::Merge> read_merges(const JsonNode& node, const Vocab& vocab) {
    std::vector<BpeModel::Merge> merges;
    merges.reserve(node.size());
    for (std::size_t i = 0; i < node.size(); ++i) {
        const JsonNode merge = node[i];
        const auto [left, right] = read_merge_tokens(merge);
        merges.push_back({vocab_id(vocab, left, merge, ""), vocab_id(vocab, right, merge, ""),
                          vocab_id(vocab, left + right, merge, "the merged token ")});
    }
    return merges;
}

// Options that only change which token strings are looked up; this model has none of them.
void require_unset(const JsonNode& node) {
    if (!node.is_null() && !(node.json().is_string() && node.json().get<std::string>().empty()))
        node.fail(str("not supported (expected null), found ", node.json().dump()));
}

std::unique_ptr<BpeModel> read_model(const JsonNode& node, IdTokens& owners) {
    const JsonNode type = node["type"];
    if (type.string() != "BPE")
        type.fail(str("unsupported model type ", quoted(type.string()), " (expected \"BPE\")"));
    Vocab vocab = read_vocab(node["vocab"], owners);
    const std::vector<BpeModel::Merge> merges = read_merges(node["merges"], vocab);

    const JsonNode dropout = node["dropout"];
    if (!dropout.is_null() && !(dropout.json().is_number() && dropout.json().get<double>() == 0))
        dropout.fail(
            str("BPE dropout is not supported (expected null), found ", dropout.json().dump()));
    require_unset(node["continuing_subword_prefix"]);
    require_unset(node["end_of_word_suffix"]);

    BpeModel::Options options;
    const JsonNode unk = node["unk_token"];
    if (!unk.is_null())
        options.unk_id = vocab_id(vocab, unk.string(), unk, "");
    options.fuse_unk = node["fuse_unk"].boolean_or(false);
    options.byte_fallback = node["byte_fallback"].boolean_or(false);
    options.ignore_merges = node["ignore_merges"].boolean_or(false);
    return std::make_unique<BpeModel>(std::move(vocab), merges, options);
}

std::vector<AddedToken> read_added_tokens(const JsonNode& list, const Vocab& vocab,
                                          IdTokens& owners) {
    std::vector<AddedToken> tokens;
    if (list.is_null())
        return tokens;
    std::unordered_map<std::string, std::int64_t> ids;  // content -> id, to catch repeats
    for (std::size_t i = 0; i < list.size(); ++i) {
        const JsonNode node = list[i];
        AddedToken t;
        t.id = read_id(node["id"]);
        t.content = node["content"].string();
        if (t.content.empty())
            node["content"].fail("an added token cannot be empty");
        // Most files list their special tokens in model.vocab too; the ids must agree.
        if (const auto it = vocab.find(t.content); it != vocab.end() && it->second != t.id)
            node["id"].fail(str(quoted(t.content), " has id ", t.id, " here but ", it->second,
                                " in model.vocab"));
        if (const auto [it, inserted] = ids.emplace(t.content, t.id);
            !inserted && it->second != t.id)
            node["id"].fail(str(quoted(t.content), " is listed before with id ", it->second));
        claim_id(owners, t.id, t.content, node["id"]);
        t.special = node["special"].boolean_or(false);
        t.normalized = node["normalized"].boolean_or(!t.special);
        t.lstrip = node["lstrip"].boolean_or(false);
        t.rstrip = node["rstrip"].boolean_or(false);
        t.single_word = node["single_word"].boolean_or(false);
        tokens.push_back(std::move(t));
    }
    return tokens;
}

// The end-of-text token: <|endoftext|> (GPT-2, GPT-NeoX) or SentencePiece's </s>, when one is
// an added special token.
std::optional<std::int64_t> eos_id(const std::vector<AddedToken>& added) {
    std::optional<std::int64_t> eos;
    for (const AddedToken& t : added) {
        if (t.content == endoftext)
            return t.id;
        if (t.content == "</s>" && t.special)
            eos = t.id;
    }
    return eos;
}

BpePipeline read_pipeline(const JsonNode& root) {
    BpePipeline p;
    p.source = root.file();
    IdTokens owners;
    p.model = read_model(root["model"], owners);
    const std::vector<AddedToken> added =
        read_added_tokens(root["added_tokens"], p.model->vocab(), owners);
    p.normalizer = read_normalizer(root["normalizer"]);
    p.pre_tokenizer = read_pre_tokenizer(root["pre_tokenizer"]);
    p.decoder = read_decoder(root["decoder"]);

    // HF looks for normalized added tokens in normalized text, so their contents are normalized
    // the same way; the others are looked for in the text as given.
    std::vector<AddedToken> raw;
    std::vector<AddedToken> normalized;
    for (const AddedToken& t : added) {
        if (!t.normalized) {
            raw.push_back(t);
            continue;
        }
        AddedToken n = t;
        n.content = p.normalizer.apply(t.content);
        normalized.push_back(std::move(n));
    }
    p.raw_added = AddedTokenMatcher(std::move(raw));
    p.normalized_added = AddedTokenMatcher(std::move(normalized));

    for (const auto& [id, token] : owners) {
        p.tokens.emplace(id, token);
        p.vocab_size = std::max(p.vocab_size, id + 1);
    }
    p.eos = eos_id(added);

    const auto is_id = [&](std::int64_t id) { return p.tokens.contains(id); };
    read_post_processor(root["post_processor"], is_id, p.prefix, p.suffix);
    return p;
}

}  // namespace

std::unique_ptr<Tokenizer> parse_tokenizer_json(std::string_view json_text,
                                                std::string_view source) {
    const std::string file(source);
    const nlohmann::json document = parse_json(json_text, file);
    return make_bpe_tokenizer(read_pipeline(JsonNode(document, file)));
}

std::unique_ptr<Tokenizer> load_tokenizer_json(const std::filesystem::path& file) {
    const std::string name = file.string();
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        throw InputError(str(name, ": no such file"), name);
    if (std::filesystem::is_directory(file, ec))
        throw InputError(str(name, ": is a directory, not a tokenizer.json file"), name);
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.is_open() || in.bad())
        throw InputError(str(name, ": cannot be read"), name);
    return parse_tokenizer_json(text, name);
}

}  // namespace ssmscope::model
