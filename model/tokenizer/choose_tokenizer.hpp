// Which tokenizer turns text into ids for a model: the one the user names (--tokenizer FILE),
// else the checkpoint's own tokenizer.json, else the built-in byte tokenizer, but only for a
// model whose vocabulary the byte tokenizer can have trained. The one place every command and
// the GUI get their tokenizer from (app/usecase/open_checkpoint.cpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "model/tokenizer/tokenizer.hpp"

namespace ssmscope::model {

// The largest vocabulary the byte tokenizer is taken for: its 257 ids rounded up to a multiple
// of 64, the coarsest padding of embedding rows in use (ssmscope's own models pad to 8: 264).
inline constexpr std::int64_t kByteTokenizerMaxVocab = 320;

struct TokenizerSources {
    std::filesystem::path file{};     // --tokenizer FILE; empty: none given
    std::string checkpoint_text{};    // the checkpoint's tokenizer.json; empty: it has none
    std::string checkpoint_source{};  // where that text came from, for messages
    std::int64_t model_vocab = 0;     // the rows of the model's embedding
};

struct TokenizerChoice {
    std::unique_ptr<Tokenizer> tokenizer;  // never null: see below
    std::vector<std::string> warnings;
};

// A file given explicitly must load: its errors propagate (InputError naming the file and field).
// A checkpoint tokenizer that cannot be read, or none for a model whose vocabulary exceeds
// kByteTokenizerMaxVocab, gives a tokenizer that refuses text: encode and decode throw an
// InputError saying why and to pass --tokenizer, while token ids (--tokens) still work; a
// checkpoint tokenizer that cannot be read also gives a warning.
TokenizerChoice choose_tokenizer(const TokenizerSources& sources);

}  // namespace ssmscope::model
