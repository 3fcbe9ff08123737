// ssmscope-cli info / forward / eval / generate / params end to end on tiny checkpoints saved by
// the test, and every kind of bad checkpoint giving exit code 2 with a message naming the file,
// tensor or field.
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "model/checkpoint/checkpoint.hpp"
#include "model/config/sizes.hpp"
#include "tests/model/fixtures.hpp"
#include "tests/support/cli_run.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace ssmscope::model;
using namespace ssmscope::test;

namespace {

struct Fixture {
    TempDir tmp;
    fs::path ckpt = tmp / "ckpt";
    std::shared_ptr<LanguageModel> model = tiny_model(Arch::Mamba);
    Fixture() { save_checkpoint(*model, ckpt); }

    CliRun run(const std::string& args) const { return run_cli(SSMSCOPE_CLI, tmp.path(), args); }

    void expect_bad_input(const std::string& args,
                          std::initializer_list<std::string> fragments) const {
        const CliRun r = run(args);
        BOOST_TEST_CONTEXT("ssmscope-cli " << args << "\nstderr: " << r.err) {
            BOOST_TEST(r.code == 2);
            for (const std::string& f : fragments) {
                BOOST_TEST(r.err.find(f) != std::string::npos, "missing: " << f);
            }
        }
    }

    std::string file_bytes() const { return slurp(ckpt / "model.safetensors"); }
    void write_file_bytes(const std::string& bytes) const {
        std::ofstream(ckpt / "model.safetensors", std::ios::binary | std::ios::trunc) << bytes;
    }
    std::uint64_t header_length() const {
        const std::string b = file_bytes();
        std::uint64_t n = 0;
        std::memcpy(&n, b.data(), 8);
        return n;
    }
};

torch::Tensor logits_in_process(LanguageModel& m, const std::vector<std::int64_t>& tokens) {
    torch::NoGradGuard no_grad;
    return m.forward(torch::tensor(tokens).unsqueeze(0)).squeeze(0);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(cli_model, Fixture)

BOOST_AUTO_TEST_CASE(info_reports_architecture_sizes_and_state_memory) {
    const CliRun r = run("info ckpt --json");
    BOOST_REQUIRE_EQUAL(r.code, 0);
    const json j = json::parse(r.out);
    BOOST_TEST(j["architecture"] == "mamba");
    BOOST_TEST(j["layout"] == "huggingface");
    BOOST_TEST(j["dtype"] == "F32");
    BOOST_TEST(j["n_layer"] == 2);
    BOOST_TEST(j["parameters"].get<std::int64_t>() == model->parameter_count());
    // Per sequence and layer: conv window E·d_conv + state E·N values of 4 bytes, E = 32, N = 4.
    BOOST_TEST(j["state_bytes_per_layer"] == (32 * 4 + 32 * 4) * 4);
    BOOST_TEST(j["tokenizer"].get<std::string>().find("byte-level") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(forward_prints_the_logits_of_every_position) {
    const CliRun r = run("forward ckpt --tokens 3,17,0,55 --json");
    BOOST_REQUIRE_EQUAL(r.code, 0);
    const json j = json::parse(r.out);
    const torch::Tensor ref = logits_in_process(*model, {3, 17, 0, 55});
    BOOST_REQUIRE_EQUAL(j["logits"].size(), 4u);
    BOOST_REQUIRE_EQUAL(j["logits"][0].size(), 56u);
    for (std::int64_t l = 0; l < 4; ++l) {
        for (std::int64_t v = 0; v < 56; ++v) {
            BOOST_TEST(j["logits"][l][v].get<float>() == ref[l][v].item<float>());
        }
    }
    // --text goes through the tokenizer: byte-level "hi" is 104, 105, out of a vocab of 56.
    expect_bad_input("forward ckpt --text hi", {"token 104 at position 0", "[0, 56)"});
    const CliRun t = run("forward ckpt --text '!(' --json");  // bytes 33, 40
    BOOST_REQUIRE_EQUAL(t.code, 0);
    BOOST_TEST(json::parse(t.out)["logits"][1][5].get<float>() ==
               logits_in_process(*model, {33, 40})[1][5].item<float>());
}

BOOST_AUTO_TEST_CASE(tokenizer_option_and_the_byte_id_refusal) {
    // A model of 1000 embedding rows without a tokenizer.json: byte ids would be wrong ids, so
    // text is refused and ids are accepted; --tokenizer supplies the tokenizer.
    const fs::path spm = fs::path(SSMSCOPE_SOURCE_DIR) / "tests/data/tokenizers/spm_legacy.json";
    ModelConfig c = tiny_config(Arch::Mamba);
    c.vocab_size = 1000;
    torch::manual_seed(5);
    LanguageModel big(c);
    save_checkpoint(big, tmp / "big");
    const CliRun info = run("info big --json");
    BOOST_REQUIRE_EQUAL(info.code, 0);
    BOOST_TEST(json::parse(info.out)["tokenizer"].get<std::string>().starts_with("none ("));
    expect_bad_input(
        "forward big --text hello",
        {"text input needs a tokenizer", "vocabulary of 1000 tokens", "pass --tokenizer FILE"});
    BOOST_TEST(run("forward big --tokens 1,2,3 --json").code == 0);
    // generate prints ids when there is nothing to decode them with; --json gives text null.
    const CliRun g = run("generate big --tokens 1,2 --max-tokens 3 --no-stop --json");
    BOOST_REQUIRE_MESSAGE(g.code == 0, g.err);
    BOOST_TEST(json::parse(g.out)["tokens"].size() == 3u);
    BOOST_TEST(json::parse(g.out)["text"].is_null());
    BOOST_TEST(g.err.find("printed as token ids") != std::string::npos, g.err);
    const CliRun gs = run("generate big --tokens 1,2 --max-tokens 3 --no-stop");
    BOOST_REQUIRE_MESSAGE(gs.code == 0, gs.err);
    BOOST_TEST(gs.out.rfind("1 2 ", 0) == 0, gs.out);
    // "hello" through spm_legacy.json is <s> ▁ hel lo... as tokenizers.js gives it
    // (tests/data/tokenizers/reference_ids.json).
    const std::vector<std::int64_t> ids{1, 705, 264, 714, 348};
    const CliRun f = run("forward big --tokenizer " + spm.string() + " --text hello --json");
    BOOST_REQUIRE_MESSAGE(f.code == 0, f.err);
    const json logits = json::parse(f.out)["logits"];
    BOOST_REQUIRE_EQUAL(logits.size(), ids.size());
    const torch::Tensor ref = logits_in_process(big, ids);
    for (std::int64_t v = 0; v < 1000; v += 37)
        BOOST_TEST(logits[4][v].get<float>() == ref[4][v].item<float>());
    const CliRun named = run("info big --tokenizer " + spm.string() + " --json");
    BOOST_TEST(json::parse(named.out)["tokenizer"] == "BPE, 800 tokens (spm_legacy.json)");
    expect_bad_input("forward big --tokenizer missing.json --text hello",
                     {"missing.json: no such file"});

    // A checkpoint tokenizer that cannot be read: a warning, ids still work (forward, eval,
    // analyze, verify), text is refused naming the file and field.
    std::ofstream(tmp / "big/tokenizer.json") << R"({"model": {"type": "WordPiece"}})";
    const CliRun w = run("forward big --tokens 1,2,3");
    BOOST_TEST(w.code == 0);
    BOOST_TEST(
        w.err.find("warning: the checkpoint's tokenizer cannot be used") != std::string::npos,
        w.err);
    expect_bad_input("forward big --text hi",
                     {"big/tokenizer.json", "model.type", "pass --tokenizer FILE"});
    BOOST_TEST(run("eval big --tokens 1,2,3,4,5 --json").code == 0);
    BOOST_TEST(run("analyze big --tokens 1,2,3,4,5 --layers 0 --json").code == 0);
    const int verified = run("verify big --tokens 1,2,3,4,5 --require stable").code;
    BOOST_TEST((verified == 0 || verified == 1));
    // --tokenizer overrides the broken file.
    BOOST_TEST(run("forward big --tokenizer " + spm.string() + " --text hi").code == 0);
}

BOOST_AUTO_TEST_CASE(bundled_samples_keep_the_byte_tokenizer) {
    // Trained with the byte tokenizer: 257 ids padded to 264 embedding rows.
    for (const char* sample : {"mamba", "mamba2", "sc-mamba", "so-mamba", "st-mamba2"}) {
        const fs::path dir = fs::path(SSMSCOPE_SOURCE_DIR) / "samples" / sample;
        const CliRun r = run("info " + dir.string() + " --json");
        BOOST_REQUIRE_EQUAL(r.code, 0);
        BOOST_TEST(json::parse(r.out)["tokenizer"].get<std::string>().starts_with("byte-level"),
                   sample);
    }
    const fs::path mamba = fs::path(SSMSCOPE_SOURCE_DIR) / "samples/mamba";
    BOOST_TEST(run("forward " + mamba.string() + " --text hello").code == 0);
}

BOOST_AUTO_TEST_CASE(falcon_mamba_checkpoint_opens) {
    ModelConfig c = tiny_config(Arch::Mamba);
    c.mixer_rms_eps = 1e-5;
    LanguageModel falcon(c);
    save_checkpoint(falcon, tmp / "falcon");
    const CliRun r = run("info falcon --json");
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    const json j = json::parse(r.out);
    BOOST_TEST(j["architecture"] == "falcon-mamba");
    BOOST_TEST(j["parameters"].get<std::int64_t>() == model->parameter_count());
    const CliRun g = run("generate falcon --tokens 3,17 --max-tokens 4 --json");
    BOOST_REQUIRE_MESSAGE(g.code == 0, g.err);
}

BOOST_AUTO_TEST_CASE(eval_reports_the_perplexity_of_the_text) {
    std::ofstream(tmp / "text.txt") << "#,.%&(4#,";  // bytes 35 44 46 37 38 40 52 35 44, all < 56
    const CliRun r = run("eval ckpt --text-file text.txt --json");
    BOOST_REQUIRE_EQUAL(r.code, 0);
    const json j = json::parse(r.out);
    const std::vector<std::int64_t> ids{35, 44, 46, 37, 38, 40, 52, 35, 44};
    const torch::Tensor logits = logits_in_process(*model, ids).to(torch::kFloat64);
    double nll = 0;  // −log softmax of each next token, summed by hand
    for (std::size_t t = 0; t + 1 < ids.size(); ++t) {
        double z = 0;
        for (std::int64_t v = 0; v < 56; ++v)
            z += std::exp(logits[static_cast<std::int64_t>(t)][v].item<double>());
        nll += std::log(z) - logits[static_cast<std::int64_t>(t)][ids[t + 1]].item<double>();
    }
    BOOST_TEST(j["predicted"] == 8);
    BOOST_TEST(j["perplexity"].get<double>() == std::exp(nll / 8),
               boost::test_tools::tolerance(1e-6));
    BOOST_TEST(j["tokens_per_second"].get<double>() > 0);
    BOOST_TEST(r.err.find("eval: 9 / 9 tokens") != std::string::npos, r.err);

    // --by-position: the token-by-token run's bins of 3 hold the per-position losses of the
    // parallel forward (positions 0-2, 3-5, 6-7), and their weighted mean is the perplexity.
    const CliRun p = run("eval ckpt --text-file text.txt --by-position --bin 3 --json");
    BOOST_REQUIRE_MESSAGE(p.code == 0, p.err);
    const json b = json::parse(p.out)["by_position"];
    BOOST_TEST(b["bin"] == 3);
    BOOST_TEST(b["first_non_finite"].is_null());
    BOOST_TEST(b["start"] == json::parse("[0, 3, 6]"));
    BOOST_TEST(b["count"] == json::parse("[3, 3, 2]"));
    BOOST_REQUIRE_EQUAL(b["state_norm"].size(), 3u);
    for (std::size_t k = 0; k < 3; ++k) {
        double want = 0;
        for (std::size_t t = 3 * k; t < std::min<std::size_t>(3 * k + 3, 8); ++t) {
            double z = 0;
            for (std::int64_t v = 0; v < 56; ++v)
                z += std::exp(logits[static_cast<std::int64_t>(t)][v].item<double>());
            want += std::log(z) - logits[static_cast<std::int64_t>(t)][ids[t + 1]].item<double>();
        }
        want /= b["count"][k].get<double>();
        BOOST_TEST(b["loss"][k].get<double>() == want, boost::test_tools::tolerance(1e-5));
        for (const json& norm : b["state_norm"][k])
            BOOST_TEST(norm.get<double>() > 0.0);
    }
    BOOST_TEST(json::parse(p.out)["perplexity"].get<double>() == std::exp(nll / 8),
               boost::test_tools::tolerance(1e-5));
    expect_bad_input("eval ckpt --text-file text.txt --by-position --bin 0", {"--bin"});
    expect_bad_input("eval ckpt --text-file text.txt --by-position --context 4",
                     {"--by-position", "--context"});
}

BOOST_AUTO_TEST_CASE(greedy_generation_follows_the_parallel_argmax) {
    const CliRun r = run("generate ckpt --tokens 3,17 --max-tokens 6 --no-stop --json");
    BOOST_REQUIRE_EQUAL(r.code, 0);
    const auto got = json::parse(r.out)["tokens"].get<std::vector<std::int64_t>>();
    // The recurrent path generated them; the parallel forward must pick the same at each step.
    std::vector<std::int64_t> seq{3, 17};
    for (std::int64_t tok : got) {
        const torch::Tensor logits = logits_in_process(*model, seq);
        BOOST_TEST(tok == logits[logits.size(0) - 1].argmax().item<std::int64_t>());
        seq.push_back(tok);
    }
    BOOST_TEST(got.size() == 6u);
}

BOOST_AUTO_TEST_CASE(sampling_is_reproducible_per_seed) {
    const std::string args =
        "generate ckpt --tokens 3 --max-tokens 12 --temperature 1.5 --top-k 10 --no-stop --json "
        "--seed ";
    const auto a = json::parse(run(args + "5").out)["tokens"];
    const auto b = json::parse(run(args + "5").out)["tokens"];
    const auto c = json::parse(run(args + "6").out)["tokens"];
    BOOST_TEST(a == b);
    BOOST_TEST(a != c);
    expect_bad_input("generate ckpt --tokens 3 --temperature -1", {"--temperature"});
}

BOOST_AUTO_TEST_CASE(params_table_counts_by_the_closed_form) {
    const CliRun r = run("params --json");
    BOOST_REQUIRE_EQUAL(r.code, 0);
    const json rows = json::parse(r.out)["rows"];
    // paper-64m: V 50280, Dm 512, 23 layers, N 16, E 1024, R 32, K 4, tied, no proj bias.
    const std::int64_t E = 1024, Dm = 512, N = 16, R = 32, K = 4;
    const std::int64_t mamba_layer =
        2 * E * Dm + E * K + E + (R + 2 * N) * E + E * R + E + E * N + E + Dm * E + Dm;
    const std::int64_t mamba = 50280 * Dm + 23 * mamba_layer + Dm;
    BOOST_TEST(rows[0]["architecture"] == "mamba");
    BOOST_TEST(rows[0]["parameters"] == mamba);
    BOOST_TEST(rows[1]["architecture"] == "so-mamba");
    BOOST_TEST(rows[1]["parameters"] == mamba - 23 * N * E);
    BOOST_TEST(rows[2]["architecture"] == "sc-mamba");
    BOOST_TEST(rows[2]["parameters"] == mamba - 23 * N * E);
    // demo: the sizes of the bundled samples, so its counts are their tensors' element counts,
    // summed here from each model.safetensors header.
    const json demo = json::parse(run("params --preset demo --json").out)["rows"];
    for (const json& row : demo) {
        const std::string arch = row["architecture"];
        std::ifstream f(fs::path(SSMSCOPE_SOURCE_DIR) / "samples" / arch / "model.safetensors",
                        std::ios::binary);
        std::uint64_t len = 0;
        f.read(reinterpret_cast<char*>(&len), 8);
        std::string header(len, '\0');
        f.read(header.data(), static_cast<std::streamsize>(len));
        std::int64_t elements = 0;
        const json tensors = json::parse(header);
        for (const auto& [name, t] : tensors.items()) {
            if (name == "__metadata__")
                continue;
            std::int64_t n = 1;
            for (const auto& d : t["shape"])
                n *= d.get<std::int64_t>();
            elements += n;
        }
        BOOST_TEST_CONTEXT(arch) {
            BOOST_TEST(row["parameters"].get<std::int64_t>() == elements);
        }
    }
    expect_bad_input("params --preset huge", {"--preset", "huge"});
}

// ---- convert and single files -----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_single_safetensors_file_opens_with_the_config_beside_it) {
    const json folder = json::parse(run("info ckpt --json").out);
    const CliRun r = run("info ckpt/model.safetensors --json");
    BOOST_REQUIRE_EQUAL(r.code, 0);
    const json file = json::parse(r.out);
    BOOST_TEST(file["format"] == "safetensors");
    BOOST_TEST(folder["format"] == "safetensors");
    BOOST_TEST(file["parameters"] == folder["parameters"]);
    const CliRun a = run("forward ckpt --tokens 3,17,0 --json");
    const CliRun b = run("forward ckpt/model.safetensors --tokens 3,17,0 --json");
    BOOST_TEST(json::parse(a.out)["logits"] == json::parse(b.out)["logits"]);
}

BOOST_AUTO_TEST_CASE(convert_rewrites_the_checkpoint_with_identical_logits) {
    std::ofstream(tmp / "text.txt") << "#,.%&(4#,";
    const CliRun r = run("convert ckpt out --json");
    BOOST_REQUIRE_EQUAL(r.code, 0);
    const json j = json::parse(r.out);
    BOOST_TEST(j["source_format"] == "safetensors");
    BOOST_TEST(j["dtype"] == "F32");  // the stored type, kept by default
    BOOST_TEST(j["tensors"].get<std::size_t>() == model->named_parameters().size());
    BOOST_TEST(fs::exists(tmp / "out" / "config.json"));
    BOOST_TEST(fs::exists(tmp / "out" / "model.safetensors"));
    const LoadedModel back = load_checkpoint(tmp / "out");
    const torch::Tensor ref = logits_in_process(*model, {3, 17, 0, 55});
    BOOST_TEST(torch::equal(logits_in_process(*back.model, {3, 17, 0, 55}), ref));

    // bf16: every weight rounded to bf16 once, which is what loading the bf16 file gives back.
    BOOST_REQUIRE_EQUAL(run("convert ckpt half --dtype bf16").code, 0);
    const LoadedModel half = load_checkpoint(tmp / "half");
    BOOST_TEST(half.stored_dtype == "BF16");
    for (const auto& p : model->named_parameters()) {
        const torch::Tensor rounded = p.value().to(torch::kBFloat16).to(torch::kFloat32);
        BOOST_TEST(torch::equal(half.model->named_parameters()[p.key()], rounded), p.key());
    }
    // Sharded output: the index lists every tensor, the logits are the same.
    BOOST_REQUIRE_EQUAL(run("convert ckpt shards --max-shard-size 4KB").code, 0);
    BOOST_TEST(fs::exists(tmp / "shards" / "model.safetensors.index.json"));
    BOOST_TEST(torch::equal(
        logits_in_process(*load_checkpoint(tmp / "shards").model, {3, 17, 0, 55}), ref));
}

BOOST_AUTO_TEST_CASE(convert_refuses_what_would_lose_the_source) {
    expect_bad_input("convert ckpt ckpt", {"ckpt", "own folder"});
    std::ofstream(tmp / "afile") << "x";
    expect_bad_input("convert ckpt afile", {"afile", "not a folder"});
    expect_bad_input("convert ckpt out --dtype q4", {"--dtype", "q4"});
    std::ofstream(tmp / "bad_tokenizer.json") << "{";
    expect_bad_input("convert ckpt out --tokenizer bad_tokenizer.json", {"bad_tokenizer.json"});
    BOOST_TEST(!fs::exists(tmp / "out"));  // nothing was written
    BOOST_TEST(fs::exists(ckpt / "model.safetensors"));
}

// ---- bad checkpoints: exit 2, the message names the file and the tensor or field -------------

BOOST_AUTO_TEST_CASE(truncated_file) {
    const std::string b = file_bytes();
    write_file_bytes(b.substr(0, b.size() - 100));
    expect_bad_input("info ckpt", {"model.safetensors", "backbone"});
    write_file_bytes(b.substr(0, 5));
    expect_bad_input("info ckpt", {"model.safetensors"});
}

BOOST_AUTO_TEST_CASE(header_length_past_the_end) {
    std::string b = file_bytes();
    const std::uint64_t huge = b.size() * 2;
    std::memcpy(b.data(), &huge, 8);
    write_file_bytes(b);
    expect_bad_input("forward ckpt --tokens 1", {"model.safetensors", "header"});
}

BOOST_AUTO_TEST_CASE(malformed_json_header) {
    std::string b = file_bytes();
    b[8] = 'x';  // the header's opening brace
    write_file_bytes(b);
    expect_bad_input("info ckpt", {"model.safetensors", "JSON"});
}

BOOST_AUTO_TEST_CASE(unknown_dtype) {
    std::string b = file_bytes();
    const auto at = b.find("\"F32\"");
    BOOST_REQUIRE(at < header_length() + 8);
    b.replace(at, 5, "\"F31\"");
    write_file_bytes(b);
    expect_bad_input("info ckpt", {"model.safetensors", "F31"});
}

BOOST_AUTO_TEST_CASE(overlapping_spans) {
    const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                               R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
    std::string b(8, '\0');
    const std::uint64_t n = header.size();
    std::memcpy(b.data(), &n, 8);
    write_file_bytes(b + header + std::string(12, '\0'));
    expect_bad_input("info ckpt", {"model.safetensors", "'a'", "'b'", "overlap"});
}

BOOST_AUTO_TEST_CASE(shape_contradicting_config) {
    json j = read_json(ckpt / "config.json");
    j["hidden_size"] = 24;
    write_json(ckpt / "config.json", j);
    expect_bad_input("info ckpt", {"model.safetensors", "has shape", "config.json"});
}

BOOST_AUTO_TEST_CASE(missing_tensor) {
    json j = read_json(ckpt / "config.json");
    j["num_hidden_layers"] = 3;
    write_json(ckpt / "config.json", j);
    expect_bad_input("info ckpt", {"missing tensor 'backbone.layers.2."});
}

BOOST_AUTO_TEST_CASE(nonfinite_weights) {
    std::string b = file_bytes();
    // The first value of the first tensor in the data section becomes +Inf.
    const float inf = std::numeric_limits<float>::infinity();
    std::memcpy(b.data() + 8 + header_length(), &inf, 4);
    write_file_bytes(b);
    // info reads headers only, so the weights' values are neither read nor judged ...
    BOOST_TEST(run("info ckpt").code == 0);
    // ... while every command that computes with them refuses the Inf, or warns when allowed.
    expect_bad_input("forward ckpt --tokens 1,2",
                     {"model.safetensors", "non-finite", "--allow-nonfinite"});
    const CliRun r = run("forward ckpt --tokens 1,2 --allow-nonfinite");
    BOOST_TEST(r.code == 0);
    BOOST_TEST(r.err.find("non-finite") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_config) {
    std::ofstream(ckpt / "config.json") << "{\"model_type\": \"mamba\", \"hidden_size\": }";
    expect_bad_input("info ckpt", {"config.json: not valid JSON: "});
    write_json(ckpt / "config.json", {{"model_type", "mamba"}, {"hidden_size", "16"}});
    expect_bad_input("info ckpt", {"config.json: hidden_size: expected a positive integer, found "
                                   "the string \"16\""});
}

BOOST_AUTO_TEST_CASE(malformed_tokenizer_json) {
    std::ofstream(ckpt / "tokenizer.json")
        << R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a"]}})";
    expect_bad_input("forward ckpt --text a", {"tokenizer.json", "merges"});
}

BOOST_AUTO_TEST_CASE(truncated_pytorch_zip_is_named) {
    fs::remove(ckpt / "model.safetensors");
    std::ofstream(ckpt / "pytorch_model.bin") << "PK";
    expect_bad_input("info ckpt",
                     {"ckpt/pytorch_model.bin", "not a valid zip archive", "truncated or corrupt"});
}

BOOST_AUTO_TEST_CASE(missing_checkpoint_directory) {
    expect_bad_input("info nowhere", {"nowhere"});
}

BOOST_AUTO_TEST_SUITE_END()
