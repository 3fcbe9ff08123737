#include "model/tokenizer/pipeline_json.hpp"

#include <stdexcept>

#include "base/str.hpp"

namespace ssmscope::model {

namespace {

[[noreturn]] void unsupported(const JsonNode& type, std::string_view component,
                              std::string_view supported) {
    type.fail(str("unsupported ", component, " type ", quoted(type.string()),
                  " (supported: ", supported, ")"));
}

void read_forms(const JsonNode& node, std::vector<NormalForm>& forms) {
    const JsonNode type = node["type"];
    const std::string name = type.string();
    if (name == "NFC")
        forms.push_back(NormalForm::nfc);
    else if (name == "NFD")
        forms.push_back(NormalForm::nfd);
    else if (name == "NFKC")
        forms.push_back(NormalForm::nfkc);
    else if (name == "NFKD")
        forms.push_back(NormalForm::nfkd);
    else if (name == "Sequence") {
        const JsonNode list = node["normalizers"];
        for (std::size_t i = 0; i < list.size(); ++i)
            read_forms(list[i], forms);
    } else
        unsupported(type, "normalizer", "NFC, NFD, NFKC, NFKD, Sequence");
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
        steps.push_back(PreTokenizer::ByteLevel{node["add_prefix_space"].boolean_or(true),
                                                node["use_regex"].boolean_or(true)});
    } else if (name == "Split") {
        steps.push_back(read_split(node));
    } else if (name == "Sequence") {
        const JsonNode list = node["pretokenizers"];
        for (std::size_t i = 0; i < list.size(); ++i)
            read_steps(list[i], steps);
    } else {
        unsupported(type, "pre_tokenizer", "ByteLevel, Split, Sequence");
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
    std::vector<NormalForm> forms;
    if (!node.is_null())
        read_forms(node, forms);
    return Normalizer(std::move(forms));
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

void check_decoder(const JsonNode& node) {
    if (node.is_null())
        node.fail("missing; expected the ByteLevel decoder of a byte-level BPE tokenizer");
    const JsonNode type = node["type"];
    if (type.string() != "ByteLevel")
        unsupported(type, "decoder", "ByteLevel");
}

}  // namespace ssmscope::model
