#include "app/usecase/open_checkpoint.hpp"

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/checkpoint/inspect.hpp"
#include "model/config/sizes.hpp"
#include "model/tokenizer/choose_tokenizer.hpp"

namespace ssmscope::usecase {

OpenedCheckpoint open_checkpoint(const std::string& dir, const OpenOptions& options) {
    OpenedCheckpoint c;
    c.dir = dir;
    model::LoadOptions load{.allow_nonfinite = options.allow_nonfinite};
    if (options.as_stored)
        load.dtype = std::nullopt;
    c.loaded = model::load_checkpoint(dir, load);
    c.warnings = c.loaded.warnings;
    model::TokenizerChoice t =
        model::choose_tokenizer({.file = options.tokenizer,
                                 .checkpoint_text = c.loaded.tokenizer_text,
                                 .checkpoint_source = c.loaded.tokenizer_source,
                                 .model_vocab = c.loaded.config.padded_vocab()});
    c.tokenizer = std::move(t.tokenizer);
    c.warnings.insert(c.warnings.end(), t.warnings.begin(), t.warnings.end());
    return c;
}

void check_token_ids(const std::vector<std::int64_t>& ids, const OpenedCheckpoint& c) {
    if (ids.empty())
        throw InputError("the input has no tokens");
    const std::int64_t vocab = c.loaded.config.padded_vocab();
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] < 0 || ids[i] >= vocab) {
            throw InputError(str("token ", ids[i], " at position ", i,
                                 " is outside the model's vocabulary [0, ", vocab, ")"));
        }
    }
}

namespace {

// The fields every summary has, from the configuration.
CheckpointSummary summary_of(const std::string& path, const model::ModelConfig& c) {
    const model::ParameterCount count = model::parameter_count(c);
    CheckpointSummary s;
    s.checkpoint = path;
    s.architecture = model::architecture_name(c);
    s.layout = model::layout_name(c.layout);
    s.d_model = c.d_model;
    s.n_layer = c.n_layer;
    s.vocab_size = c.vocab_size;
    s.padded_vocab_size = c.padded_vocab();
    s.d_inner = c.d_inner();
    s.d_state = c.d_state;
    s.d_conv = c.d_conv;
    s.mamba2_family = c.mamba2_family();
    if (s.mamba2_family) {
        s.heads = c.nheads();
        s.head_dim = c.headdim;
        s.n_groups = c.ngroups;
    } else {
        s.dt_rank = c.dt_rank;
    }
    s.tied_embeddings = c.tie_embeddings;
    s.parameters = count.total;
    s.parameters_per_layer = count.per_layer;
    s.embedding_parameters = count.embedding;
    s.state_bytes_per_layer = model::state_values_per_layer(c) * 4;
    return s;
}

}  // namespace

CheckpointSummary summarise(const OpenedCheckpoint& ckpt) {
    CheckpointSummary s = summary_of(ckpt.dir, ckpt.loaded.config);
    s.format = ckpt.loaded.format;
    s.format_detail = ckpt.loaded.format_detail;
    s.sharded = ckpt.loaded.sharded;
    s.dtype = ckpt.loaded.stored_dtype;
    s.tokenizer = ckpt.tokenizer->description();
    s.warnings = ckpt.warnings;  // the loader's and the tokenizer's
    return s;
}

CheckpointSummary describe_checkpoint(const std::string& path, const OpenOptions& options) {
    const model::CheckpointSource source = model::open_checkpoint_source(path);
    const model::CheckpointContents contents = model::inspect_checkpoint(source);
    CheckpointSummary s = summary_of(path, contents.config);
    s.format = std::string(model::format_name(source.format));
    s.format_detail = source.format_detail;
    s.sharded = source.sharded;
    s.dtype = contents.stored_dtype;
    s.parameters = contents.parameters;
    const model::TokenizerChoice t =
        model::choose_tokenizer({.file = options.tokenizer,
                                 .checkpoint_text = source.tokenizer_text,
                                 .checkpoint_source = source.tokenizer_source,
                                 .model_vocab = contents.config.padded_vocab()});
    s.tokenizer = t.tokenizer->description();
    s.warnings = contents.warnings;
    s.warnings.insert(s.warnings.end(), t.warnings.begin(), t.warnings.end());
    return s;
}

}  // namespace ssmscope::usecase
