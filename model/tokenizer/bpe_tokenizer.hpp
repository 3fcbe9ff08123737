// BPE tokenizers from a Hugging Face tokenizer.json, without Python or the tokenizers library:
// byte-level ones (GPT-2 / GPT-NeoX style, as the public Mamba checkpoints ship) and
// SentencePiece-style ones (Llama, Mistral and models derived from them).
//
// Supported: added_tokens (with special, normalized, lstrip, rstrip, single_word); normalizer
// null, NFC, NFD, NFKC, NFKD, Prepend, Replace (String pattern) or a Sequence of them;
// pre_tokenizer null, ByteLevel, Split (Regex or String pattern, any behavior, invert), Metaspace
// (prepend_scheme or the older add_prefix_space, split) or a Sequence of them; model BPE (merges
// as "a b" strings or ["a", "b"] pairs, unk_token, fuse_unk, byte_fallback, ignore_merges; no
// dropout, no continuing_subword_prefix or end_of_word_suffix); decoder ByteLevel, Replace
// (String pattern), ByteFallback, Fuse, Strip, Metaspace or a Sequence of them; post_processor
// null, ByteLevel, TemplateProcessing (its "single" template) or a Sequence of them. Anything
// else is refused with an InputError naming the field, rather than tokenized differently from HF.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "model/tokenizer/tokenizer.hpp"

namespace ssmscope::model {

// Throws InputError naming the file and the JSON field: the file is missing or unreadable, not
// JSON, lacks `model`, has a model other than BPE, a merge that is not two vocabulary tokens
// (named by its index), an id given to two tokens, or a component of an unsupported type.
std::unique_ptr<Tokenizer> load_tokenizer_json(const std::filesystem::path& file);

// The same from text in memory; `source` names it in messages and in description().
std::unique_ptr<Tokenizer> parse_tokenizer_json(std::string_view json_text,
                                                std::string_view source);

}  // namespace ssmscope::model
