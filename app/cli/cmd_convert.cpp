// ssmscope-cli convert: any readable checkpoint to the Hugging Face safetensors layout.
#include <nlohmann/json.hpp>

#include "app/cli/checkpoint_args.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/exit_codes.hpp"
#include "app/cli/output.hpp"
#include "app/cli/probe_args.hpp"
#include "base/error.hpp"
#include "base/str.hpp"
#include "model/checkpoint/convert.hpp"

namespace ssmscope::cli {

namespace {

std::optional<torch::Dtype> parse_dtype(const std::string& name) {
    if (name.empty())
        return std::nullopt;
    if (name == "f32")
        return torch::kFloat32;
    if (name == "bf16")
        return torch::kBFloat16;
    if (name == "f16")
        return torch::kFloat16;
    throw InputError(str("--dtype: expected f32, bf16 or f16, found '", name, "'"), "--dtype");
}

}  // namespace

Command add_convert(CLI::App& app) {
    struct Args {
        std::string src, dst, dtype, tokenizer, out;
        std::uint64_t max_shard_bytes = 0;
        bool allow_nonfinite = false, json = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand(
        "convert",
        "Rewrite a checkpoint (folder, .bin, .gguf, .safetensors) as a Hugging Face safetensors "
        "folder: config.json, model.safetensors (or shards), tokenizer.json when one is known");
    cmd->add_option("SRC", args->src, "the checkpoint to read")->required();
    cmd->add_option("DST", args->dst, "the folder to write (created if needed)")->required();
    cmd->add_option("--dtype", args->dtype,
                    "f32, bf16 or f16 (default: the type the source stores when all its weights "
                    "share one, else f32; quantised GGUF weights become f32)");
    cmd->add_option("--max-shard-size", args->max_shard_bytes,
                    "split model.safetensors into shards of at most this size, e.g. 5GB "
                    "(default: one file)")
        ->transform(CLI::AsSizeValue(true));
    cmd->add_option("--tokenizer", args->tokenizer,
                    "a tokenizer.json to write with the weights instead of the checkpoint's own");
    cmd->add_flag("--allow-nonfinite", args->allow_nonfinite,
                  "convert weights holding NaN or Inf (with a warning)");
    cmd->add_flag("--json", args->json, "JSON on stdout");
    cmd->add_option("--out", args->out, "write the result to FILE");
    return [args] {
        const model::ConvertOptions options{
            .dtype = parse_dtype(args->dtype),
            .max_shard_bytes = args->max_shard_bytes,
            .allow_nonfinite = args->allow_nonfinite,
            .tokenizer = args->tokenizer,
            .progress =
                [](std::size_t done, std::size_t total) {
                    print_progress("convert", "reading tensors",
                                   static_cast<double>(done) / static_cast<double>(total));
                },
        };
        const model::ConvertResult r = model::convert_checkpoint(args->src, args->dst, options);
        for (const std::string& w : r.warnings)
            print_warning(w);
        nlohmann::ordered_json j;
        j["source"] = args->src;
        j["source_format"] = r.source_format;
        j["source_detail"] = r.source_detail;
        j["destination"] = args->dst;
        j["dtype"] = r.dtype;
        j["tensors"] = r.tensors;
        j["sharded"] = r.sharded;
        j["tokenizer"] =
            r.tokenizer.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(r.tokenizer);
        j["warnings"] = r.warnings;
        std::string text;
        if (args->json) {
            text = j.dump(2) + "\n";
        } else {
            text = str("converted ", args->src, " (", r.source_detail, ") to ", args->dst, ": ",
                       r.tensors, " tensors, ", r.dtype, r.sharded ? ", sharded" : "",
                       r.tokenizer.empty() ? ", no tokenizer" : ", tokenizer from " + r.tokenizer,
                       "\n");
        }
        emit(args->out, text);
        return kOk;
    };
}

}  // namespace ssmscope::cli
