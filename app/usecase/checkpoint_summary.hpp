// What `info` prints and the GUI's overview table shows about a checkpoint: one struct filled
// once (open_checkpoint.hpp's summarise), rendered by each front end. Torch-free, so that the
// Qt code can hold it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ssmscope::usecase {

struct CheckpointSummary {
    std::string checkpoint;     // the folder or file as given
    std::string format;         // "safetensors", "pytorch", "gguf"
    std::string format_detail;  // e.g. "safetensors, 3 shards", "GGUF v3 (Q8_0, F32)"
    std::string architecture;   // "mamba", "sc-mamba", ...
    std::string layout;         // "hf" or "mamba_ssm"
    bool sharded = false;
    std::string dtype;  // as stored: "F32", "BF16", "mixed (F32, BF16)"
    std::int64_t d_model = 0, n_layer = 0, vocab_size = 0, padded_vocab_size = 0, d_inner = 0,
                 d_state = 0, d_conv = 0;
    bool mamba2_family = false;  // heads, head_dim, n_groups; else dt_rank
    std::int64_t heads = 0, head_dim = 0, n_groups = 0, dt_rank = 0;
    bool tied_embeddings = false;
    std::int64_t parameters = 0, parameters_per_layer = 0, embedding_parameters = 0;
    // What generation keeps per sequence, at 4 bytes a value (float32).
    std::int64_t state_bytes_per_layer = 0;
    std::string tokenizer;              // its description
    std::vector<std::string> warnings;  // of loading the weights
};

// The keys of `info --json`, in its order.
nlohmann::ordered_json summary_json(const CheckpointSummary& s);

}  // namespace ssmscope::usecase
