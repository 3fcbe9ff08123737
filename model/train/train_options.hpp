// The settings of one training or fine-tuning run. They are written to OUT/train.json when the
// run starts, so that `train --resume OUT` continues with exactly the same ones.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ssmscope::model {

struct TrainOptions {
    // Data.
    std::string corpus;  // text file, or "demo" for the demo corpus (model/train/demo_corpus)
    // A tokenizer.json to read the corpus with; empty: the base checkpoint's own (which must then
    // have one unless its vocabulary is the byte tokenizer's: model/tokenizer/choose_tokenizer),
    // or the byte tokenizer for a model trained from scratch, whose vocabulary it then sets.
    std::string tokenizer;
    std::int64_t batch = 8;  // sequences per micro-batch
    std::int64_t seq_len = 128;
    std::int64_t accum = 1;  // micro-batches per optimizer step
    std::uint64_t seed = 0;  // initialisation, LoRA init and the order of the windows

    // Optimisation: AdamW, warm-up + cosine (lr_schedule.hpp), gradient clipping.
    std::int64_t steps = 1000;
    double lr = 2e-3;
    double min_lr = 2e-4;
    std::int64_t warmup = 50;
    double weight_decay = 0.1;  // on matrices only; A, D, norms and biases are not decayed
    double beta1 = 0.9, beta2 = 0.95, eps = 1e-8;
    double clip = 1.0;  // max global gradient norm; 0 disables clipping

    // Reporting and checkpoints (every n optimizer steps; 0 disables).
    std::int64_t log_every = 1;
    std::int64_t eval_every = 100;
    std::int64_t eval_tokens = 16384;     // validation tokens scored per evaluation
    std::int64_t stability_every = 100;   // stability snapshot (probe + analysis/)
    std::int64_t stability_tokens = 64;   // probe length of the snapshot
    std::int64_t checkpoint_every = 100;  // a checkpoint is always written at the end
    std::int64_t keep_checkpoints = 2;    // newest step-* directories kept

    std::string device = "cpu";  // "cpu" or "cuda"
    // The forwards' precision: "bf16" (autocast: bf16 matmuls and activations, float32 weights,
    // scan state and loss), "float32", or "auto" (bf16 on CUDA, float32 on the CPU).
    std::string precision = "auto";

    // Fine-tuning: only the named blocks train; with lora_rank > 0 only LoRA adapters on their
    // projections (and the embeddings when named) train, merged into the weights on save.
    std::string base_checkpoint;       // empty for a model trained from scratch
    std::vector<std::int64_t> blocks;  // empty: every parameter trains
    std::int64_t lora_rank = 0;
    double lora_alpha = 16;
    std::vector<std::string> lora_targets;  // empty: in_proj, x_proj, out_proj where present

    // Throws InputError naming `source` and the field that is out of range.
    void validate(const std::string& source) const;
};

nlohmann::json to_json(const TrainOptions& options);
// Throws InputError naming `source` and the field.
TrainOptions train_options_from_json(const nlohmann::json& j, const std::string& source);

// A run's train.json, or an options file in its format (`train --options FILE`): read, with
// InputError naming the file (unreadable, not JSON) and the field (out of range, of the wrong
// type); and written atomically.
TrainOptions read_train_options(const std::filesystem::path& file);
void write_train_options(const TrainOptions& options, const std::filesystem::path& file);

}  // namespace ssmscope::model
