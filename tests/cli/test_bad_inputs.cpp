// The catalogue of bad inputs: malformed files for every reader (safetensors, pytorch_model.bin,
// GGUF, config.json, tokenizer.json, CSV matrices, probe texts, corpora, run directories) and wrong
// flags for every command, each with the exit code it must give (2: bad input) and fragments its
// message must hold — the file, the tensor or field, and what was expected. A user of a
// verification tool must be told what is wrong, never shown a crash or a silent default.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/io/fixtures.hpp"
#include "tests/io/gguf_bytes.hpp"
#include "tests/io/pytorch_fixtures.hpp"
#include "tests/model/fixtures.hpp"
#include "tests/support/cli_run.hpp"

namespace fs = std::filesystem;
using namespace ssmscope::test;

namespace {

const fs::path kSample = fs::path(SSMSCOPE_SOURCE_DIR) / "samples/mamba";
const std::string kCorpus = std::string(SSMSCOPE_SOURCE_DIR) + "/tests/data/tiny_corpus.txt";

struct Case {
    std::string args;                            // run in the case's own directory
    std::function<void(const fs::path&)> setup;  // files the case needs, or null
    std::vector<std::string> fragments;          // all must appear on stderr
    int code = 2;
};

// A copy of the sample checkpoint named `name`, with `file` replaced by `content` if given.
void sample(const fs::path& dir, const std::string& name, const std::string& file = "",
            const Bytes& content = {}) {
    fs::copy(kSample, dir / name, fs::copy_options::recursive);
    if (!file.empty())
        write_file(dir / name / file, content);
}

Bytes header_only(const std::string& header, std::size_t data_bytes) {
    return safetensors_bytes(header, Bytes(data_bytes, std::byte{0}));
}

// The sample's config.json with `key` set to `value`.
std::function<void(const fs::path&)> config_with(const std::string& key, nlohmann::json value) {
    return [key, value](const fs::path& dir) {
        sample(dir, "m");
        auto j = nlohmann::json::parse(read_text(dir / "m/config.json"));
        j[key] = value;
        write_file(dir / "m/config.json", j.dump());
    };
}

std::function<void(const fs::path&)> text_file(const std::string& name, const std::string& text) {
    return [name, text](const fs::path& dir) {
        fs::create_directories((dir / name).parent_path());
        write_file(dir / name, std::string_view(text));
    };
}

std::function<void(const fs::path&)> files(std::vector<std::function<void(const fs::path&)>> all) {
    return [all](const fs::path& dir) {
        for (const auto& f : all)
            f(dir);
    };
}

std::function<void(const fs::path&)> checkpoint(const std::string& file, const Bytes& content) {
    return [file, content](const fs::path& dir) { sample(dir, "m", file, content); };
}
// The sample's config.json beside a pytorch_model.bin of `content` (and no model.safetensors,
// which would be preferred).
std::function<void(const fs::path&)> pytorch(const Bytes& content) {
    return [content](const fs::path& dir) {
        fs::create_directories(dir / "m");
        fs::copy_file(kSample / "config.json", dir / "m/config.json");
        write_file(dir / "m/pytorch_model.bin", content);
    };
}

// {"w": one tensor of 3 floats} in torch.save's zip, with `data` as its storage record.
Bytes pytorch_one_tensor(const std::vector<std::pair<std::string, Bytes>>& data,
                         std::uint16_t method = 0) {
    return torch_zip(one_tensor_pickle("w", 3), data, method);
}

Bytes pytorch_pickle(const Pickle& p) {
    return torch_zip(p.bytes(), {{"0", floats({1, 2, 3})}});
}

// An unchanged copy of the sample.
std::function<void(const fs::path&)> good_checkpoint() {
    return [](const fs::path& dir) { sample(dir, "m"); };
}

// A GGUF file `name` holding what `build` adds to the tiny Mamba-1 metadata.
std::function<void(const fs::path&)> gguf(const std::string& name,
                                          std::function<void(GgufBytes&)> build,
                                          std::uint32_t version = 3) {
    return [=](const fs::path& dir) {
        GgufBytes g(version);
        tiny_mamba_metadata(g);
        build(g);
        write_file(dir / name, g.build());
    };
}

void embedding(GgufBytes& g) {
    g.tensor("token_embd.weight", {4, 3}, ggml_type::f32, Bytes(48));
}

const std::string kTrain = "train --arch mamba --corpus " + kCorpus + " --out run --steps 2 ";

std::vector<Case> catalogue() {
    return {
        // safetensors
        {"info m",
         checkpoint("model.safetensors", text_bytes("abc")),
         {"m/model.safetensors", "too short to hold the 8-byte header length"}},
        {"info m",
         checkpoint("model.safetensors", concat({u64_le(1000), text_bytes("{}")})),
         {"m/model.safetensors", "header length 1000 runs past the end of the file"}},
        {"info m",
         checkpoint("model.safetensors", safetensors_bytes("not json", {})),
         {"m/model.safetensors: header: not valid JSON: "}},
        {"info m",
         checkpoint("model.safetensors",
                    header_only(R"({"x":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}})", 4)),
         {"m/model.safetensors: header[\"x\"].dtype: unknown dtype \"Q7\"", "known: F64, F32"}},
        {"info m",
         checkpoint("model.safetensors",
                    header_only(R"({"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8)),
         {"header[\"x\"]: data_offsets [0, 16) run past the end of the data section"}},
        {"info m",
         checkpoint("model.safetensors",
                    header_only(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                R"("y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                12)),
         {"tensors 'x' [0, 8) and 'y' [4, 12) overlap"}},
        {"info m",
         checkpoint("model.safetensors",
                    header_only(R"({"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8)),
         {"header[\"x\"]: ", "shape [3] of F32 needs 12"}},
        {"forward m --tokens 1,2",
         checkpoint("model.safetensors",
                    header_only(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8)),
         {"missing tensor 'backbone.embeddings.weight'", "shape [264, 64]"}},
        // pytorch_model.bin (torch.save's zip and its pickle)
        {"info m",
         pytorch(bytes({0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8,
                        0x50, 0x19, 0x2e})),
         {"m/pytorch_model.bin", "legacy torch.save format", "re-save", "torch >= 1.6"}},
        {"info m",
         pytorch(text_bytes("PK")),
         {"m/pytorch_model.bin", "not a valid zip archive", "truncated or corrupt"}},
        {"info m",
         [](const fs::path& d) {
             const Bytes zip = pytorch_one_tensor({{"0", floats({1, 2, 3})}});
             pytorch(Bytes(zip.begin(), zip.end() - 40))(d);
         },
         {"m/pytorch_model.bin", "no end-of-central-directory record", "truncated"}},
        {"info m",
         [](const fs::path& d) {
             Bytes zip = pytorch_one_tensor({{"0", floats({1, 2, 3})}});
             zip[0] = std::byte{'X'};  // the first local header
             pytorch(zip)(d);
         },
         {"m/pytorch_model.bin", "zip entry 'archive/data.pkl'", "no local header"}},
        {"info m",
         pytorch(pytorch_one_tensor({{"0", floats({1, 2, 3})}}, 8)),
         {"m/pytorch_model.bin", "zip entry 'archive/data/0'", "compressed (method 8, deflate)"}},
        {"info m",
         pytorch(pytorch_one_tensor({})),
         {"m/pytorch_model.bin", "tensor 'w'", "storage record 'archive/data/0' is missing"}},
        {"info m",
         pytorch(pytorch_one_tensor({{"0", floats({1, 2})}})),
         {"m/pytorch_model.bin", "tensor 'w'", "record 'archive/data/0' holds 8 bytes",
          "fewer than the 3 elements of torch.FloatStorage"}},
        {"info m",
         pytorch(pytorch_pickle(Pickle()
                                    .op('}')
                                    .string("w")
                                    .tensor("FloatStorage", "0", 3, 2, {2}, {1})
                                    .op('s')
                                    .stop())),
         {"m/pytorch_model.bin", "tensor 'w'", "storage_offset 2, size [2], stride [1]",
          "reaches past the 3 elements"}},
        {"info m",
         pytorch(pytorch_pickle(Pickle()
                                    .op('}')
                                    .string("w")
                                    .tensor("ComplexFloatStorage", "0", 3, 0, {3}, {1})
                                    .op('s')
                                    .stop())),
         {"m/pytorch_model.bin: archive/data.pkl: at byte",
          "unknown storage type 'torch.ComplexFloatStorage'"}},
        {"info m",
         pytorch(pytorch_pickle(Pickle()
                                    .op('}')
                                    .string("w")
                                    .global("os", "system")
                                    .string("true")
                                    .op(0x85)
                                    .op('R')
                                    .op('s')
                                    .stop())),
         {"m/pytorch_model.bin: archive/data.pkl", "global 'os.system' is not allowed",
          "weights_only=True"}},
        {"info m",
         pytorch(pytorch_pickle(Pickle().op(0x93).stop())),
         {"m/pytorch_model.bin: archive/data.pkl: at byte 2", "opcode STACK_GLOBAL (0x93)",
          "is not allowed"}},
        {"info m",
         pytorch(pytorch_pickle(Pickle().op(']').stop())),
         {"m/pytorch_model.bin: archive/data.pkl", "the pickle holds a list",
          "expected a state dict"}},
        {"info m",
         pytorch(pytorch_pickle(Pickle().op('}').string("w").integer(3).op('s').stop())),
         {"m/pytorch_model.bin: archive/data.pkl", "state dict entry 'w' holds an integer",
          "expected a tensor"}},
        {"info m",
         pytorch(zip_bytes({{"archive/data.pkl", one_tensor_pickle("w", 3), 0},
                            {"archive/byteorder", text_bytes("big"), 0},
                            {"archive/data/0", floats({1, 2, 3}), 0}})),
         {"m/pytorch_model.bin: archive/byteorder", "big-endian"}},
        {"info m",
         [](const fs::path& d) {
             fs::create_directories(d / "m");
             fs::copy_file(kSample / "config.json", d / "m/config.json");
             write_file(
                 d / "m/pytorch_model.bin.index.json",
                 std::string_view(R"({"weight_map":{"w":"pytorch_model-00001-of-00002.bin"}})"));
         },
         {"m/pytorch_model.bin.index.json", "weight_map puts tensor 'w'",
          "pytorch_model-00001-of-00002.bin does not exist"}},
        // config.json
        {"info m",
         [](const fs::path& d) {
             sample(d, "m");
             fs::remove(d / "m/config.json");
         },
         {"m/config.json", "cannot open"}},
        {"info m",
         checkpoint("config.json", text_bytes("{oops")),
         {"m/config.json: not valid JSON: "}},
        {"info m",
         config_with("hidden_size", -4),
         {"m/config.json: hidden_size: expected a positive integer, found the number -4"}},
        {"info m",
         config_with("hidden_size", "wide"),
         {"m/config.json: hidden_size: expected a positive integer, found the string \"wide\""}},
        {"info m",
         config_with("model_type", "lstm"),
         {"m/config.json: model_type: expected \"mamba\", \"falcon_mamba\" or \"mamba2\", found "
          "the string \"lstm\""}},
        {"forward m --tokens 1",
         config_with("hidden_size", 32),
         {"backbone.embeddings.weight", "[264, 32]"}},
        // tokenizer.json
        {"forward m --text hi",
         checkpoint("tokenizer.json", text_bytes("nope")),
         {"m/tokenizer.json: not valid JSON: "}},
        {"forward m --text hi",
         checkpoint("tokenizer.json",
                    text_bytes(R"({"version":"1.0","model":{"type":"WordPiece","vocab":{}}})")),
         {"m/tokenizer.json", "model.type", "unsupported model type \"WordPiece\""}},
        // --tokenizer FILE: it must load, and names the file and field when it does not
        {"forward m --tokenizer nope.json --text hi",
         good_checkpoint(),
         {"nope.json: no such file"}},
        {"info m --tokenizer t.json",
         files({good_checkpoint(),
                text_file("t.json", R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []},)"
                                    R"( "decoder": {"type": "CTC"}})")}),
         {"t.json: decoder.type: unsupported decoder type \"CTC\""}},
        {"analyze m --tokenizer t.json --text hi",
         files(
             {good_checkpoint(),
              text_file("t.json", R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []},)"
                                  R"( "pre_tokenizer": {"type": "Metaspace", )"
                                  R"("prepend_scheme": "twice"}, "decoder": {"type": "Fuse"}})")}),
         {"t.json: pre_tokenizer.prepend_scheme: unknown prepend_scheme \"twice\""}},
        // token ids instead of text
        {"eval m", good_checkpoint(), {"give the text as --text-file FILE or the ids as --tokens"}},
        {"analyze m --tokens 1,x", good_checkpoint(), {"--tokens", "'x' is not an integer"}},
        {"verify m --tokens 5,300", good_checkpoint(), {"token 300 at position 1", "[0, 264)"}},
        {"analyze m --tokens 1 --text hi", good_checkpoint(), {"--tokens", "excludes"}},
        // A number beyond double, found by fuzzing: JSON's grammar allows it, nlohmann refuses it
        // with out_of_range rather than parse_error.
        {"forward m --text hi",
         checkpoint("tokenizer.json", text_bytes(R"({"version": 1e99999})")),
         {"m/tokenizer.json: not valid JSON: ", "number overflow"}},
        {"info m",
         checkpoint("config.json", text_bytes(R"({"hidden_size": 1e99999})")),
         {"m/config.json: not valid JSON: ", "number overflow"}},
        // CSV matrices (lti)
        {"lti --a A.csv",
         text_file("A.csv", "1,2\n3\n"),
         {"A.csv: line 2", "row has 1 entries but the first row (line 1) has 2"}},
        {"lti --a A.csv",
         text_file("A.csv", "1,x\n3,4\n"),
         {"A.csv: line 1, column 2", "\"x\" is not a number"}},
        {"lti --a A.csv", text_file("A.csv", ""), {"A.csv: empty file"}},
        {"lti --a A.csv",
         text_file("A.csv", "1,nan\n3,4\n"),
         {"A.csv: line 1, column 2", "not a finite number"}},
        {"lti --a A.csv", text_file("A.csv", "1,2\n"), {"A.csv", "A must be square, got 1x2"}},
        {"lti --a A.csv --b B.csv",
         files({text_file("A.csv", "1,0\n0,1\n"), text_file("B.csv", "1\n2\n3\n")}),
         {"B.csv", "B must have n = 2 rows"}},
        {"lti --a A.csv --dt -1", text_file("A.csv", "1\n"), {"--dt", "got -1"}},
        {"lti --a missing.csv", nullptr, {"missing.csv: no such file"}},
        // GGUF
        {"info m.gguf",
         text_file("m.gguf", "GGUX-not-a-gguf-file-at-all"),
         {"m.gguf: header: expected the magic \"GGUF\""}},
        {"info m.gguf",
         gguf("m.gguf", embedding, 1),
         {"m.gguf: header: GGUF version 1 is not supported"}},
        {"info m.gguf",
         gguf("m.gguf", embedding, 9),
         {"m.gguf: header: version 9: expected 2 or 3"}},
        {"info m.gguf",
         gguf("m.gguf",
              [](GgufBytes& g) {
                  Bytes len;
                  put_u64(len, 1ULL << 50);
                  g.kv_raw("general.name", gguf_type::string, len);
              }),
         {"m.gguf: metadata 'general.name': string length 1125899906842624 runs past the end"}},
        {"info m.gguf",
         gguf("m.gguf",
              [](GgufBytes& g) {
                  Bytes arr;
                  put_u32(arr, gguf_type::string);
                  put_u64(arr, 1ULL << 61);
                  g.kv_raw("tokenizer.ggml.tokens", gguf_type::array, arr);
              }),
         {"metadata 'tokenizer.ggml.tokens': array count 2305843009213693952 cannot fit"}},
        {"info m.gguf",
         gguf("m.gguf", [](GgufBytes& g) { g.kv_u32("mamba.block_count", 2); }),
         {"m.gguf: metadata 'mamba.block_count': the key appears twice"}},
        {"info m.gguf",
         gguf("m.gguf",
              [](GgufBytes& g) {
                  g.tensor("blk.0.ssm_in.weight", {4, 4, 1, 1, 1}, ggml_type::f32, Bytes(64));
              }),
         {"m.gguf: tensor 'blk.0.ssm_in.weight': n_dims: expected 1 to 4, found 5"}},
        {"info m.gguf",
         gguf("m.gguf",
              [](GgufBytes& g) {
                  g.tensor("token_embd.weight", {1ULL << 40, 1ULL << 30}, ggml_type::f32, {});
              }),
         {"tensor 'token_embd.weight': the product of the dimensions overflows 64 bits"}},
        {"info m.gguf",
         gguf("m.gguf",
              [](GgufBytes& g) {
                  embedding(g);
                  g.tensor("blk.0.ssm_d", {8}, ggml_type::f32, Bytes(32), 48);
              }),
         {"tensor 'blk.0.ssm_d': offset 48 is not a multiple of the alignment 32"}},
        {"info m.gguf",
         gguf("m.gguf",
              [](GgufBytes& g) {
                  embedding(g);
                  g.truncate(8);
              }),
         {"tensor 'token_embd.weight': offset 0 + 48 bytes runs past the end of the 40-byte"}},
        {"info m.gguf",
         gguf("m.gguf",
              [](GgufBytes& g) {
                  g.tensor("token_embd.weight", {4, 16}, ggml_type::f32, Bytes(256))
                      .tensor("blk.0.ssm_d", {8}, ggml_type::f32, Bytes(32), 64);
              }),
         {"tensor 'blk.0.ssm_d': bytes [64, 96) overlap tensor 'token_embd.weight' [0, 256)"}},
        {"info m.gguf",
         gguf("m.gguf",
              [](GgufBytes& g) {
                  g.tensor("blk.0.ssm_in.weight", {48, 16}, ggml_type::q4_k, Bytes(1024));
              }),
         {"tensor 'blk.0.ssm_in.weight': row length 48 is not a multiple of Q4_K's block of 256"}},
        {"info m.gguf",
         gguf("m.gguf", [](GgufBytes& g) { g.tensor("token_embd.weight", {256}, 16, Bytes(66)); }),
         {"tensor 'token_embd.weight': type IQ2_XXS is not supported"}},
        {"info m.gguf",
         text_file("m.gguf",
                   [] {
                       GgufBytes g;
                       g.kv_str("general.architecture", "llama");
                       embedding(g);
                       const Bytes b = g.build();
                       return std::string(reinterpret_cast<const char*>(b.data()), b.size());
                   }()),
         {"m.gguf: metadata 'general.architecture': expected \"mamba\" or \"mamba2\", found "
          "the string \"llama\""}},
        {"info m.gguf",
         gguf("m.gguf",
              [](GgufBytes& g) {
                  g.kv_str("mamba.ssm.dt_b_c_rms", "no");
                  embedding(g);
              }),
         {"m.gguf: metadata 'mamba.ssm.dt_b_c_rms': expected a bool, found the string \"no\""}},
        {"forward m.gguf --tokens 1",
         gguf("m.gguf", embedding),
         {"m.gguf: missing tensor 'backbone.layers.0.", "d_model=4, d_inner=8, d_state=2"}},
        // probes and texts
        {"analyze m --layers 7", good_checkpoint(), {"layer 7", "the model has 2 layers"}},
        // the one layer-list parser of --layers, --blocks and the GUI's Blocks field
        {"analyze m --layers 1-0", good_checkpoint(), {"--layers: the range '1-0' is empty"}},
        {"verify m --layers 0,x", good_checkpoint(), {"--layers: 'x' is not a layer index"}},
        {"analyze m --layers ,", good_checkpoint(), {"--layers: '' is not a layer index"}},
        {"finetune m --blocks 0-y --corpus " + kCorpus + " --out run",
         good_checkpoint(),
         {"--blocks: '0-y' is not a layer index"}},
        {"analyze m --text-file nowhere.txt",
         good_checkpoint(),
         {"nowhere.txt", "cannot open the probe text file"}},
        {"analyze m --text-file empty.txt",
         files({good_checkpoint(), text_file("empty.txt", "")}),
         {"the probe text (empty.txt) is empty"}},
        {"forward m --tokens 1,99999",
         good_checkpoint(),
         {"token 99999 at position 1", "outside the model's vocabulary [0, 264)"}},
        {"forward m --tokens 1,x", good_checkpoint(), {"--tokens", "'x' is not an integer"}},
        {"verify m --require happy",
         good_checkpoint(),
         {"unknown condition 'happy'", "expected controllable, observable, stable or divergent"}},
        {"eval m --text-file one.txt",
         files({good_checkpoint(), text_file("one.txt", "a")}),
         {"at least 2 tokens", "the text has 1"}},
        {"generate m --text hi --max-tokens -3",
         good_checkpoint(),
         {"--max-tokens must not be negative"}},
        // training configurations and run directories
        {kTrain + "--lr -1", nullptr, {"lr must be a positive number"}},
        {kTrain + "--steps 0", nullptr, {"steps must be at least 1"}},
        {kTrain + "--batch 3 --nproc 2", nullptr, {"--batch 3 must be a multiple"}},
        {"train --arch mamba --corpus short.txt --out run",
         text_file("short.txt", "too short"),
         {"short.txt", "the corpus has 9 tokens"}},
        {"finetune m --blocks 0 --lora-rank -2 --corpus " + kCorpus + " --out run",
         good_checkpoint(),
         {"lora_rank must be 0 (no LoRA) or more"}},
        {"train --resume r", text_file("r/train.json", "{bad"), {"r/train.json: not valid JSON"}},
        {"train --resume r", text_file("r/train.json", "{}"), {"r/train.json"}},
        // usage
        {"frobnicate m", nullptr, {"unknown command 'frobnicate'"}},
        {"info --frob m", nullptr, {"--frob"}},
        {"info", nullptr, {"CKPT is required"}},
    };
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_bad_input_exits_2_and_says_what_is_wrong) {
    TempDir tmp;
    const std::vector<Case> cases = catalogue();
    BOOST_TEST_MESSAGE(cases.size() << " bad inputs");
    BOOST_TEST(cases.size() >= 30u);
    int n = 0;
    for (const Case& c : cases) {
        const fs::path dir = tmp / ("case-" + std::to_string(n++));
        fs::create_directories(dir);
        if (c.setup)
            c.setup(dir);
        const CliRun r = run_cli(SSMSCOPE_CLI, dir, c.args);
        BOOST_TEST_CONTEXT("case " << n - 1 << ": ssmscope-cli " << c.args << "\n" << r.err) {
            BOOST_TEST(r.code == c.code);
            for (const std::string& f : c.fragments)
                BOOST_TEST(r.err.find(f) != std::string::npos, "missing: " << f);
            // Nothing half made: a refused run leaves no run directory behind.
            if (c.args.find("--out run") != std::string::npos)
                BOOST_TEST(!fs::exists(dir / "run"));
        }
    }
}
