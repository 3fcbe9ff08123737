// ssmscope-cli info: architecture, sizes, parameter count, dtype, state memory.
#include <nlohmann/json.hpp>

#include "app/cli/checkpoint_args.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/exit_codes.hpp"
#include "app/cli/output.hpp"
#include "base/str.hpp"
#include "model/config/sizes.hpp"

namespace ssmscope::cli {

namespace {

nlohmann::ordered_json info_json(const std::string& dir, const OpenCheckpoint& ckpt) {
    const model::ModelConfig& c = ckpt.loaded.config;
    const auto count = model::parameter_count(c);
    nlohmann::ordered_json j;
    j["checkpoint"] = dir;
    j["architecture"] = model::arch_name(c.arch);
    j["layout"] = model::layout_name(c.layout);
    j["sharded"] = ckpt.loaded.sharded;
    j["dtype"] = ckpt.loaded.stored_dtype;
    j["d_model"] = c.d_model;
    j["n_layer"] = c.n_layer;
    j["vocab_size"] = c.vocab_size;
    j["padded_vocab_size"] = c.padded_vocab();
    j["d_inner"] = c.d_inner();
    j["d_state"] = c.d_state;
    j["d_conv"] = c.d_conv;
    if (c.mamba2_family()) {
        j["heads"] = c.nheads();
        j["head_dim"] = c.headdim;
        j["n_groups"] = c.ngroups;
    } else {
        j["dt_rank"] = c.dt_rank;
    }
    j["tied_embeddings"] = c.tie_embeddings;
    j["parameters"] = ckpt.loaded.model->parameter_count();
    j["parameters_per_layer"] = count.per_layer;
    j["embedding_parameters"] = count.embedding;
    // The cache generation keeps per sequence, at 4 bytes a value (float32).
    j["state_bytes_per_layer"] = model::state_values_per_layer(c) * 4;
    j["tokenizer"] = ckpt.tokenizer->description();
    j["warnings"] = ckpt.loaded.warnings;
    return j;
}

}  // namespace

Command add_info(CLI::App& app) {
    auto args = std::make_shared<CheckpointArgs>();
    CLI::App* cmd = app.add_subcommand(
        "info", "Architecture, sizes, parameter count, dtype and state memory of a checkpoint");
    add_checkpoint_args(*cmd, *args);
    return [args] {
        const OpenCheckpoint ckpt = open_checkpoint(*args);
        const auto j = info_json(args->dir, ckpt);
        std::string out;
        if (args->json) {
            out = j.dump(2) + "\n";
        } else {
            for (const auto& [key, value] : j.items()) {
                if (key == "warnings" && value.empty())
                    continue;
                out += str(key, std::string(24 - std::min<std::size_t>(key.size(), 23), ' '),
                           value.is_string() ? value.get<std::string>() : value.dump(), "\n");
            }
        }
        emit(args->out, out);
        return kOk;
    };
}

}  // namespace ssmscope::cli
