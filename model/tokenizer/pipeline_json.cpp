#include "model/tokenizer/pipeline_json.hpp"

#include <stdexcept>

#include "base/str.hpp"
#include "model/tokenizer/utf8.hpp"

namespace ssmscope::model {

namespace {

[[noreturn]] void unsupported(const JsonNode& type, std::string_view component,
                              std::string_view supported) {
    type.fail(str("unsupported ", component, " type ", quoted(type.string()),
                  " (supported: ", supported, ")"));
}

bool one_character(const std::string& text) {
    if (text.empty())
        return false;
    std::size_t i = 0;
    next_code_point(text, i);
    return i == text.size();
}

// A Replace's pattern: {"String": "..."}; regular expressions are not supported.
std::string read_string_pattern(const JsonNode& node) {
    const JsonNode pattern = node["pattern"];
    if (!pattern.object().contains("String"))
        pattern.fail(str("only a String pattern is supported, found ", pattern.json().dump()));
    const std::string from = pattern["String"].string();
    if (from.empty())
        pattern["String"].fail("the pattern is empty");
    return from;
}

void read_normalizer_steps(const JsonNode& node, std::vector<Normalizer::Step>& steps) {
    const JsonNode type = node["type"];
    const std::string name = type.string();
    if (name == "NFC")
        steps.emplace_back(NormalForm::nfc);
    else if (name == "NFD")
        steps.emplace_back(NormalForm::nfd);
    else if (name == "NFKC")
        steps.emplace_back(NormalForm::nfkc);
    else if (name == "NFKD")
        steps.emplace_back(NormalForm::nfkd);
    else if (name == "Prepend")
        steps.emplace_back(Prepend{node["prepend"].string()});
    else if (name == "Replace")
        steps.emplace_back(Replace{read_string_pattern(node), node["content"].string()});
    else if (name == "Sequence") {
        const JsonNode list = node["normalizers"];
        for (std::size_t i = 0; i < list.size(); ++i)
            read_normalizer_steps(list[i], steps);
    } else
        unsupported(type, "normalizer", "NFC, NFD, NFKC, NFKD, Prepend, Replace, Sequence");
}

// Metaspace's scheme: "prepend_scheme", or in files older than it "add_prefix_space".
PreTokenizer::PrependScheme read_prepend_scheme(const JsonNode& node) {
    using Scheme = PreTokenizer::PrependScheme;
    const JsonNode scheme = node["prepend_scheme"];
    if (scheme.is_null())
        return node["add_prefix_space"].boolean_or(true) ? Scheme::always : Scheme::never;
    const std::string name = scheme.string();
    if (name == "first")
        return Scheme::first;
    if (name == "always")
        return Scheme::always;
    if (name == "never")
        return Scheme::never;
    scheme.fail(str("unknown prepend_scheme ", quoted(name),
                    " (expected \"first\", \"always\" or \"never\")"));
}

// Metaspace's replacement: one character ("▁").
std::string read_replacement(const JsonNode& node) {
    const JsonNode r = node["replacement"];
    const std::string text = r.is_null() ? std::string("\u2581") : r.string();
    if (!one_character(text))
        r.fail(str("expected one character, found ", quoted(text)));
    return text;
}

PreTokenizer::Metaspace read_metaspace(const JsonNode& node) {
    PreTokenizer::Metaspace m;
    m.replacement = read_replacement(node);
    m.prepend = read_prepend_scheme(node);
    if (node["split"].boolean_or(true))
        m.splitter = std::make_shared<const RegexSplitter>(m.replacement, true);
    return m;
}

SplitBehavior read_behavior(const JsonNode& node) {
    const std::string name = node.string();
    if (name == "Removed")
        return SplitBehavior::removed;
    if (name == "Isolated")
        return SplitBehavior::isolated;
    if (name == "MergedWithPrevious")
        return SplitBehavior::merged_with_previous;
    if (name == "MergedWithNext")
        return SplitBehavior::merged_with_next;
    if (name == "Contiguous")
        return SplitBehavior::contiguous;
    node.fail(str("unknown behavior ", quoted(name),
                  " (expected Removed, Isolated, MergedWithPrevious, MergedWithNext or"
                  " Contiguous)"));
}

PreTokenizer::Split read_split(const JsonNode& node) {
    const JsonNode pattern = node["pattern"];
    const bool literal = pattern.object().contains("String");
    const JsonNode text = literal ? pattern["String"] : pattern["Regex"];
    PreTokenizer::Split split;
    try {
        split.pattern = std::make_shared<const RegexSplitter>(text.string(), literal);
    } catch (const std::invalid_argument& e) {
        text.fail(str("the regular expression does not compile (", e.what(), ")"));
    }
    split.behavior = read_behavior(node["behavior"]);
    split.invert = node["invert"].boolean_or(false);
    return split;
}

void read_steps(const JsonNode& node, std::vector<PreTokenizer::Step>& steps) {
    const JsonNode type = node["type"];
    const std::string name = type.string();
    if (name == "ByteLevel") {
        // trim_offsets only moves token offsets, which encode() does not report.
        const PreTokenizer::ByteLevel step{node["add_prefix_space"].boolean_or(true),
                                           node["use_regex"].boolean_or(true)};
        steps.emplace_back(std::in_place_type<PreTokenizer::ByteLevel>, step);
    } else if (name == "Split") {
        steps.emplace_back(std::in_place_type<PreTokenizer::Split>, read_split(node));
    } else if (name == "Metaspace") {
        steps.emplace_back(std::in_place_type<PreTokenizer::Metaspace>, read_metaspace(node));
    } else if (name == "Sequence") {
        const JsonNode list = node["pretokenizers"];
        for (std::size_t i = 0; i < list.size(); ++i)
            read_steps(list[i], steps);
    } else {
        unsupported(type, "pre_tokenizer", "ByteLevel, Split, Metaspace, Sequence");
    }
}

void read_template(const JsonNode& node, const std::function<bool(std::int64_t)>& is_id,
                   std::vector<std::int64_t>& prefix, std::vector<std::int64_t>& suffix) {
    const JsonNode single = node["single"];
    const JsonNode specials = node["special_tokens"];
    std::vector<std::int64_t> before;
    std::vector<std::int64_t> after;
    bool seen_text = false;
    for (std::size_t i = 0; i < single.size(); ++i) {
        const JsonNode item = single[i];
        if (item.object().contains("Sequence")) {
            const JsonNode id = item["Sequence"]["id"];
            if (id.string() != "A")
                id.fail("a single-sequence template can only hold sequence \"A\"");
            if (seen_text)
                item.fail("sequence \"A\" appears twice");
            seen_text = true;
            continue;
        }
        const JsonNode name = item["SpecialToken"]["id"];
        const JsonNode entry = specials.entry(name.string());
        if (entry.is_absent())
            name.fail(str(quoted(name.string()), " is not in ", specials.path()));
        const JsonNode ids = entry["ids"];
        for (std::size_t k = 0; k < ids.size(); ++k) {
            const std::int64_t id = ids[k].integer();
            if (!is_id(id))
                ids[k].fail(str("id ", id, " is not in the vocabulary"));
            (seen_text ? after : before).push_back(id);
        }
    }
    if (!seen_text)
        single.fail("the template lacks the sequence \"A\"");
    // This processor wraps what the ones before it produced.
    prefix.insert(prefix.begin(), before.begin(), before.end());
    suffix.insert(suffix.end(), after.begin(), after.end());
}

}  // namespace

Normalizer read_normalizer(const JsonNode& node) {
    std::vector<Normalizer::Step> steps;
    if (!node.is_null())
        read_normalizer_steps(node, steps);
    return Normalizer(std::move(steps));
}

PreTokenizer read_pre_tokenizer(const JsonNode& node) {
    std::vector<PreTokenizer::Step> steps;
    if (!node.is_null())
        read_steps(node, steps);
    return PreTokenizer(std::move(steps));
}

void read_post_processor(const JsonNode& node, const std::function<bool(std::int64_t)>& is_id,
                         std::vector<std::int64_t>& prefix, std::vector<std::int64_t>& suffix) {
    if (node.is_null())
        return;
    const JsonNode type = node["type"];
    const std::string name = type.string();
    if (name == "ByteLevel")
        return;  // it only trims offsets
    if (name == "TemplateProcessing") {
        read_template(node, is_id, prefix, suffix);
    } else if (name == "Sequence") {
        const JsonNode list = node["processors"];
        for (std::size_t i = 0; i < list.size(); ++i)
            read_post_processor(list[i], is_id, prefix, suffix);
    } else {
        unsupported(type, "post_processor", "ByteLevel, TemplateProcessing, Sequence");
    }
}

namespace {

std::size_t read_count(const JsonNode& node) {
    const std::int64_t n = node.integer();
    if (n < 0)
        node.fail(str("expected a count of 0 or more, found ", n));
    return static_cast<std::size_t>(n);
}

void read_decoder_steps(const JsonNode& node, std::vector<Decoder::Step>& steps) {
    const JsonNode type = node["type"];
    const std::string name = type.string();
    if (name == "ByteLevel") {
        steps.emplace_back(Decoder::ByteLevel{});
    } else if (name == "Replace") {
        steps.emplace_back(Decoder::Replace{read_string_pattern(node), node["content"].string()});
    } else if (name == "ByteFallback") {
        steps.emplace_back(Decoder::ByteFallback{});
    } else if (name == "Fuse") {
        steps.emplace_back(Decoder::Fuse{});
    } else if (name == "Strip") {
        const JsonNode content = node["content"];
        const std::string c = content.string();
        if (!one_character(c))
            content.fail(str("expected one character, found ", quoted(c)));
        steps.emplace_back(Decoder::Strip{c, read_count(node["start"]), read_count(node["stop"])});
    } else if (name == "Metaspace") {
        steps.emplace_back(
            Decoder::Metaspace{read_replacement(node),
                               read_prepend_scheme(node) != PreTokenizer::PrependScheme::never});
    } else if (name == "Sequence") {
        const JsonNode list = node["decoders"];
        for (std::size_t i = 0; i < list.size(); ++i)
            read_decoder_steps(list[i], steps);
    } else {
        unsupported(type, "decoder",
                    "ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, Sequence");
    }
}

}  // namespace

Decoder read_decoder(const JsonNode& node) {
    if (node.is_null())
        node.fail(
            "missing; expected a decoder (ByteLevel for byte-level BPE, a Sequence of "
            "Replace, ByteFallback, Fuse and Strip or Metaspace for SentencePiece BPE)");
    std::vector<Decoder::Step> steps;
    read_decoder_steps(node, steps);
    return Decoder(std::move(steps));
}

}  // namespace ssmscope::model
