// Reading the text-processing components of a tokenizer.json (normalizer, pre_tokenizer,
// post_processor, decoder); each refuses a type it does not support, naming the field.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "base/json_reader.hpp"
#include "model/tokenizer/decoder.hpp"
#include "model/tokenizer/normalizer.hpp"
#include "model/tokenizer/pre_tokenizer.hpp"

namespace ssmscope::model {

// null/absent, or NFC, NFD, NFKC, NFKD, Prepend, Replace (String pattern), or a Sequence of those.
Normalizer read_normalizer(const JsonNode& node);

// null/absent, or ByteLevel, Split, Metaspace, or a Sequence of those.
PreTokenizer read_pre_tokenizer(const JsonNode& node);

// The ids a post_processor puts before and after every encoded text. null/absent and ByteLevel
// add none; TemplateProcessing adds the special tokens of its "single" template; a Sequence
// applies its processors in order. `is_id` says whether an id is in the vocabulary.
void read_post_processor(const JsonNode& node, const std::function<bool(std::int64_t)>& is_id,
                         std::vector<std::int64_t>& prefix, std::vector<std::int64_t>& suffix);

// ByteLevel, Replace (String pattern), ByteFallback, Fuse, Strip, Metaspace, or a Sequence of
// those. A missing decoder is refused: HF would join the tokens with spaces.
Decoder read_decoder(const JsonNode& node);

}  // namespace ssmscope::model
