#include "app/usecase/checkpoint_summary.hpp"

namespace ssmscope::usecase {

nlohmann::ordered_json summary_json(const CheckpointSummary& s) {
    nlohmann::ordered_json j;
    j["checkpoint"] = s.checkpoint;
    j["format"] = s.format;
    j["format_detail"] = s.format_detail;
    j["architecture"] = s.architecture;
    j["layout"] = s.layout;
    j["sharded"] = s.sharded;
    j["dtype"] = s.dtype;
    j["d_model"] = s.d_model;
    j["n_layer"] = s.n_layer;
    j["vocab_size"] = s.vocab_size;
    j["padded_vocab_size"] = s.padded_vocab_size;
    j["d_inner"] = s.d_inner;
    j["d_state"] = s.d_state;
    j["d_conv"] = s.d_conv;
    if (s.mamba2_family) {
        j["heads"] = s.heads;
        j["head_dim"] = s.head_dim;
        j["n_groups"] = s.n_groups;
    } else {
        j["dt_rank"] = s.dt_rank;
    }
    j["tied_embeddings"] = s.tied_embeddings;
    j["parameters"] = s.parameters;
    j["parameters_per_layer"] = s.parameters_per_layer;
    j["embedding_parameters"] = s.embedding_parameters;
    j["state_bytes_per_layer"] = s.state_bytes_per_layer;
    j["tokenizer"] = s.tokenizer;
    j["warnings"] = s.warnings;
    return j;
}

}  // namespace ssmscope::usecase
