#include "model/train/train_options.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/json_parse.hpp"
#include "base/json_reader.hpp"
#include "base/str.hpp"
#include "model/train/run_dir.hpp"

namespace ssmscope::model {

namespace {

void require(bool ok, const std::string& source, const std::string& field,
             const std::string& expected) {
    if (!ok)
        throw InputError(str(source, ": ", field, " must be ", expected));
}

}  // namespace

void TrainOptions::validate(const std::string& source) const {
    require(!corpus.empty(), source, "corpus", "a text file or \"demo\"");
    require(batch >= 1, source, "batch", "at least 1");
    require(seq_len >= 2, source, "seq_len", "at least 2");
    require(accum >= 1, source, "accum", "at least 1");
    require(steps >= 1, source, "steps", "at least 1");
    require(lr > 0 && std::isfinite(lr), source, "lr", "a positive number");
    require(min_lr >= 0 && min_lr <= lr, source, "min_lr", "between 0 and lr");
    require(warmup >= 0, source, "warmup", "0 or more");
    require(weight_decay >= 0, source, "weight_decay", "0 or more");
    require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, source, "beta1/beta2", "in [0, 1)");
    require(eps > 0, source, "eps", "positive");
    require(clip >= 0, source, "clip", "0 (off) or a positive norm");
    require(log_every >= 0 && eval_every >= 0 && stability_every >= 0 && checkpoint_every >= 0,
            source, "log_every/eval_every/stability_every/checkpoint_every", "0 (off) or more");
    require(eval_tokens >= 2, source, "eval_tokens", "at least 2");
    require(stability_tokens >= 1, source, "stability_tokens", "at least 1");
    require(keep_checkpoints >= 1, source, "keep_checkpoints", "at least 1");
    require(device == "cpu" || device == "cuda", source, "device", "\"cpu\" or \"cuda\"");
    require(precision == "auto" || precision == "float32" || precision == "bf16", source,
            "precision", "\"auto\", \"float32\" or \"bf16\"");
    require(lora_rank >= 0, source, "lora_rank", "0 (no LoRA) or more");
    require(lora_alpha > 0, source, "lora_alpha", "positive");
    require(lora_rank == 0 || !base_checkpoint.empty(), source, "lora_rank",
            "0 unless fine-tuning a checkpoint");
    for (std::int64_t b : blocks)
        require(b >= 0, source, "blocks", "layer indices (0 or more)");
}

nlohmann::json to_json(const TrainOptions& o) {
    nlohmann::ordered_json j;
    j["corpus"] = o.corpus;
    j["batch"] = o.batch;
    j["seq_len"] = o.seq_len;
    j["accum"] = o.accum;
    j["seed"] = o.seed;
    j["steps"] = o.steps;
    j["lr"] = o.lr;
    j["min_lr"] = o.min_lr;
    j["warmup"] = o.warmup;
    j["weight_decay"] = o.weight_decay;
    j["beta1"] = o.beta1;
    j["beta2"] = o.beta2;
    j["eps"] = o.eps;
    j["clip"] = o.clip;
    j["log_every"] = o.log_every;
    j["eval_every"] = o.eval_every;
    j["eval_tokens"] = o.eval_tokens;
    j["stability_every"] = o.stability_every;
    j["stability_tokens"] = o.stability_tokens;
    j["checkpoint_every"] = o.checkpoint_every;
    j["keep_checkpoints"] = o.keep_checkpoints;
    j["device"] = o.device;
    j["precision"] = o.precision;
    j["base_checkpoint"] = o.base_checkpoint;
    j["tokenizer"] = o.tokenizer;
    j["blocks"] = o.blocks;
    j["lora_rank"] = o.lora_rank;
    j["lora_alpha"] = o.lora_alpha;
    j["lora_targets"] = o.lora_targets;
    return j;
}

TrainOptions train_options_from_json(const nlohmann::json& j, const std::string& source) {
    if (!j.is_object())
        throw InputError(str(source, ": expected a JSON object of training options"));
    const JsonNode f(j, source);
    const auto count = [&](const std::string& key, std::int64_t fallback) {
        return f[key].optional_integer().value_or(fallback);
    };
    TrainOptions o;
    o.corpus = f["corpus"].string_or("");
    o.batch = count("batch", o.batch);
    o.seq_len = count("seq_len", o.seq_len);
    o.accum = count("accum", o.accum);
    o.seed = static_cast<std::uint64_t>(count("seed", 0));
    o.steps = count("steps", o.steps);
    o.lr = f["lr"].number_or(o.lr);
    o.min_lr = f["min_lr"].number_or(o.min_lr);
    o.warmup = count("warmup", o.warmup);
    o.weight_decay = f["weight_decay"].number_or(o.weight_decay);
    o.beta1 = f["beta1"].number_or(o.beta1);
    o.beta2 = f["beta2"].number_or(o.beta2);
    o.eps = f["eps"].number_or(o.eps);
    o.clip = f["clip"].number_or(o.clip);
    o.log_every = count("log_every", o.log_every);
    o.eval_every = count("eval_every", o.eval_every);
    o.eval_tokens = count("eval_tokens", o.eval_tokens);
    o.stability_every = count("stability_every", o.stability_every);
    o.stability_tokens = count("stability_tokens", o.stability_tokens);
    o.checkpoint_every = count("checkpoint_every", o.checkpoint_every);
    o.keep_checkpoints = count("keep_checkpoints", o.keep_checkpoints);
    o.device = f["device"].string_or(o.device);
    o.precision = f["precision"].string_or(o.precision);
    o.base_checkpoint = f["base_checkpoint"].string_or("");
    o.tokenizer = f["tokenizer"].string_or("");
    o.lora_rank = count("lora_rank", 0);
    o.lora_alpha = f["lora_alpha"].number_or(o.lora_alpha);
    try {
        if (j.contains("blocks"))
            o.blocks = j.at("blocks").get<std::vector<std::int64_t>>();
        if (j.contains("lora_targets"))
            o.lora_targets = j.at("lora_targets").get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception&) {
        throw InputError(str(source,
                             ": blocks must be an array of integers and lora_targets an "
                             "array of strings"));
    }
    o.validate(source);
    return o;
}

TrainOptions read_train_options(const std::filesystem::path& file) {
    return train_options_from_json(parse_json(run_dir::read_text(file), file.string()),
                                   file.string());
}

void write_train_options(const TrainOptions& options, const std::filesystem::path& file) {
    run_dir::write_text_atomically(file, to_json(options).dump(2) + "\n");
}

}  // namespace ssmscope::model
