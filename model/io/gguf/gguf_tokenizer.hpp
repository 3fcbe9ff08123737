// A GGUF file's tokenizer (tokenizer.ggml.*) as tokenizer.json text for the byte-level BPE
// loader (model/tokenizer/bpe_tokenizer.hpp). llama.cpp's "gpt2" tokenizer model is that BPE:
// GPT-NeoX's, which the Mamba checkpoints use, and GPT-2's.
#pragma once

#include <string>

#include "model/io/gguf/gguf_file.hpp"

namespace ssmscope::model {

struct GgufTokenizer {
    std::string json;  // empty when the file has no tokenizer this can convert
    std::string note;  // why it is empty, for format_detail; empty otherwise
};

// tokenizer.ggml.model "gpt2": the vocabulary (tokens but the UNUSED padding ones), the merges, the
// CONTROL and USER_DEFINED tokens as added tokens, the UNKNOWN one as unk_token; ByteLevel
// pre-tokenizer and decoder with GPT-2's split regex, no normalizer (llama.cpp applies none).
// Throws InputError naming the file and key for malformed arrays: a token type array of another
// length, a token that is not UTF-8 or appears twice, a merge without a space.
GgufTokenizer gguf_tokenizer(const GgufFile&);

}  // namespace ssmscope::model
