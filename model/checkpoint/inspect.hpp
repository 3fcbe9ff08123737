// What a checkpoint holds, from its headers and config.json alone: the configuration (with what
// the tensors' shapes decide), every parameter matched to its stored tensor, the stored types and
// the tensors no parameter uses. No tensor data is read, so this answers in milliseconds for a
// checkpoint of any size; load_checkpoint starts from it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/config/model_config.hpp"
#include "model/io/checkpoint_source.hpp"

namespace ssmscope::model {

struct MatchedTensor {
    std::string parameter;       // the model's (Hugging Face) name
    const StoredTensor* stored;  // in the source's store, under `stored->name`
};

struct CheckpointContents {
    ModelConfig config;
    std::vector<MatchedTensor> tensors;  // every parameter, in named_parameters() order
    std::int64_t parameters = 0;
    std::string stored_dtype;           // "F32", "BF16", ... or "mixed (F32, BF16)"
    std::vector<std::string> warnings;  // tensors the model does not use
};

// Throws InputError for a config that parse_config rejects and, listing up to a dozen at once,
// every missing tensor and every shape that contradicts config.json.
CheckpointContents inspect_checkpoint(const CheckpointSource& source);

}  // namespace ssmscope::model
