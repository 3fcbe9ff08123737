#include "model/tokenizer/pre_tokenizer.hpp"

#include "model/tokenizer/byte_level.hpp"
#include "model/tokenizer/normalizer.hpp"

namespace ssmscope::model {

namespace {

void split_each(std::vector<std::string>& pieces, const PreTokenizer::Split& split) {
    std::vector<std::string> out;
    for (const std::string& piece : pieces)
        for (const std::string_view part :
             split.pattern->split(piece, split.behavior, split.invert))
            out.emplace_back(part);
    pieces = std::move(out);
}

void byte_level_each(std::vector<std::string>& pieces, const PreTokenizer::ByteLevel& step) {
    const RegexSplitter& gpt2 = *gpt2_splitter();
    std::vector<std::string> out;
    for (std::string& piece : pieces) {
        // As in HF, every piece gets the space, not only the first of the text: a word after
        // an added token is tokenized like a word after a space.
        if (step.add_prefix_space && !piece.starts_with(' '))
            piece.insert(0, 1, ' ');
        if (!step.use_regex) {
            out.push_back(bytes_to_symbols(piece));
            continue;
        }
        for (const std::string_view part : gpt2.split(piece, SplitBehavior::isolated))
            out.push_back(bytes_to_symbols(part));
    }
    pieces = std::move(out);
}

void metaspace_each(std::vector<std::string>& pieces, const PreTokenizer::Metaspace& step,
                    bool at_text_start) {
    using Scheme = PreTokenizer::PrependScheme;
    std::vector<std::string> out;
    for (std::size_t k = 0; k < pieces.size(); ++k) {
        std::string piece = replace_all(pieces[k], " ", step.replacement);
        // HF asks whether the piece starts at offset 0 of the input: only the first can.
        const bool at_start = at_text_start && k == 0;
        if (!piece.starts_with(step.replacement) &&
            (step.prepend == Scheme::always || (step.prepend == Scheme::first && at_start)))
            piece.insert(0, step.replacement);
        if (!step.splitter) {
            out.push_back(std::move(piece));
            continue;
        }
        for (const std::string_view part :
             step.splitter->split(piece, SplitBehavior::merged_with_next))
            out.emplace_back(part);
    }
    pieces = std::move(out);
}

}  // namespace

PreTokenizer::PreTokenizer(std::vector<Step> steps) : steps_(std::move(steps)) {}

std::vector<std::string> PreTokenizer::apply(std::string_view text, bool at_text_start) const {
    std::vector<std::string> pieces;
    if (!text.empty())
        pieces.emplace_back(text);
    for (const Step& step : steps_) {
        if (const auto* split = std::get_if<Split>(&step))
            split_each(pieces, *split);
        else if (const auto* metaspace = std::get_if<Metaspace>(&step))
            metaspace_each(pieces, *metaspace, at_text_start);
        else
            byte_level_each(pieces, std::get<ByteLevel>(step));
    }
    return pieces;
}

bool PreTokenizer::is_byte_level() const {
    for (const Step& step : steps_)
        if (std::holds_alternative<ByteLevel>(step))
            return true;
    return false;
}

std::shared_ptr<const RegexSplitter> gpt2_splitter() {
    static const auto splitter = std::make_shared<const RegexSplitter>(gpt2_split_pattern, false);
    return splitter;
}

}  // namespace ssmscope::model
