// save → load is bitwise identical for every architecture (tied, untied, sharded); loading
// rejects checkpoints that contradict config.json or hold non-finite weights, naming the tensor.
// GGUF files (tests/data/gguf) give the logits of the checkpoints they were made from.
#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include "base/error.hpp"
#include "model/checkpoint/checkpoint.hpp"
#include "model/checkpoint/convert.hpp"
#include "model/io/checkpoint_files.hpp"
#include "tests/model/fixtures.hpp"
#include "tests/support/input_error.hpp"

using namespace ssmscope;
using namespace ssmscope::model;
using namespace ssmscope::test;

namespace {

const std::filesystem::path kGguf = std::filesystem::path(SSMSCOPE_SOURCE_DIR) / "tests/data/gguf";

// max |a − b| / max |b|, in double.
double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
    const torch::Tensor a64 = a.to(torch::kFloat64), b64 = b.to(torch::kFloat64);
    return (a64 - b64).abs().max().item<double>() / b64.abs().max().item<double>();
}

torch::Tensor logits(const LoadedModel& m) {
    torch::NoGradGuard no_grad;
    const torch::Tensor tokens =
        torch::tensor({0, 17, 29, 38, 5, 40, 12, 3, 23, 9, 1, 2}, torch::kInt64).reshape({2, 6});
    return m.model->forward(tokens);
}

}  // namespace

BOOST_AUTO_TEST_CASE(load_of_save_is_bitwise_identical) {
    for (Arch arch : {Arch::Mamba, Arch::Mamba2, Arch::ScMamba, Arch::SoMamba, Arch::StMamba2}) {
        for (bool tied : {true, false}) {
            for (std::uint64_t shard : {std::uint64_t{0}, std::uint64_t{4096}}) {
                auto m = tiny_model(arch, tied);
                TempDir dir;
                save_checkpoint(*m, dir.path(), shard);
                BOOST_TEST(std::filesystem::exists(dir / "model.safetensors.index.json") ==
                           (shard != 0));
                const LoadedModel loaded = load_checkpoint(dir.path());
                BOOST_TEST((loaded.config.arch == arch));
                BOOST_TEST(loaded.warnings.empty());
                const auto a = m->named_parameters(), b = loaded.model->named_parameters();
                BOOST_REQUIRE_EQUAL(a.size(), b.size());
                for (const auto& item : a) {
                    BOOST_TEST(torch::equal(item.value(), b[item.key()]),
                               arch_name(arch) << ": " << item.key() << " differs");
                }
                BOOST_TEST(!CheckpointFiles(dir.path()).find("lm_head.weight").has_value() == tied);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(shape_that_contradicts_config_names_the_tensor) {
    auto m = tiny_model(Arch::Mamba);
    TempDir dir;
    save_checkpoint(*m, dir.path());
    auto j = read_json(dir / "config.json");
    j["state_size"] = 8;  // the file's A_log has 4 columns
    write_json(dir / "config.json", j);
    const std::string msg = input_error([&] { load_checkpoint(dir.path()); });
    BOOST_TEST(contains(msg, "model.safetensors"), msg);
    BOOST_TEST(contains(msg, "backbone.layers.0.mixer.A_log' has shape [32, 4]"), msg);
    BOOST_TEST(contains(msg, "implies [32, 8]"), msg);
    // Every tensor that depends on d_state is listed, not only the first.
    BOOST_TEST(contains(msg, "also: "), msg);
    BOOST_TEST(contains(msg, "backbone.layers.1.mixer.x_proj.weight"), msg);
    BOOST_TEST(contains(msg, "config.json"), msg);
}

BOOST_AUTO_TEST_CASE(missing_tensor_is_named) {
    auto m = tiny_model(Arch::Mamba2);
    TempDir dir;
    save_checkpoint(*m, dir.path());
    rewrite_tensors(dir.path(), [](auto& tensors, auto& bytes) {
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            if (tensors[i].name == "backbone.layers.1.mixer.dt_bias") {
                tensors.erase(tensors.begin() + static_cast<long>(i));
                bytes.erase(bytes.begin() + static_cast<long>(i));
                break;
            }
        }
    });
    const std::string msg = input_error([&] { load_checkpoint(dir.path()); });
    BOOST_TEST(contains(msg, "missing tensor 'backbone.layers.1.mixer.dt_bias'"), msg);
}

BOOST_AUTO_TEST_CASE(nonfinite_weights_are_an_error_or_with_permission_a_warning) {
    auto m = tiny_model(Arch::Mamba);
    TempDir dir;
    save_checkpoint(*m, dir.path());
    rewrite_tensors(dir.path(), [](auto& tensors, auto& bytes) {
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            if (tensors[i].name == "backbone.layers.0.mixer.D") {
                const float nan = std::numeric_limits<float>::quiet_NaN();
                std::memcpy(bytes[i].data() + 2 * sizeof(float), &nan, sizeof nan);
            }
        }
    });
    const std::string msg = input_error([&] { load_checkpoint(dir.path()); });
    BOOST_TEST(contains(msg, "backbone.layers.0.mixer.D"), msg);
    BOOST_TEST(contains(msg, "flat index 2"), msg);
    const LoadedModel loaded = load_checkpoint(dir.path(), {.allow_nonfinite = true});
    BOOST_REQUIRE_EQUAL(loaded.warnings.size(), 1u);
    BOOST_TEST(contains(loaded.warnings[0], "backbone.layers.0.mixer.D"));
}

BOOST_AUTO_TEST_CASE(integer_weights_are_rejected) {
    auto m = tiny_model(Arch::Mamba);
    TempDir dir;
    save_checkpoint(*m, dir.path());
    rewrite_tensors(dir.path(), [](auto& tensors, auto&) {
        for (auto& t : tensors) {
            if (t.name == "backbone.norm_f.weight")
                t.dtype = DType::I32;  // same byte size
        }
    });
    const std::string msg = input_error([&] { load_checkpoint(dir.path()); });
    BOOST_TEST(contains(msg, "backbone.norm_f.weight"), msg);
    BOOST_TEST(contains(msg, "I32"), msg);
}

BOOST_AUTO_TEST_CASE(half_precision_checkpoints_load_as_float32) {
    auto m = tiny_model(Arch::Mamba2);
    m->to(torch::kBFloat16);
    TempDir dir;
    save_checkpoint(*m, dir.path());
    const LoadedModel loaded = load_checkpoint(dir.path());
    BOOST_TEST(loaded.stored_dtype == "BF16");
    BOOST_TEST(read_json(dir / "config.json")["torch_dtype"] == "bfloat16");
    for (const auto& item : m->named_parameters()) {
        BOOST_TEST(torch::equal(item.value().to(torch::kFloat32),
                                loaded.model->named_parameters()[item.key()]));
    }
}

// An F32 GGUF file gives the logits of the safetensors checkpoint it was converted from (A_log
// comes back through log(−A), within a float32 rounding).
BOOST_AUTO_TEST_CASE(f32_gguf_logits_equal_the_source_checkpoint) {
    for (const char* name : {"mamba1", "mamba2"}) {
        const LoadedModel gguf = load_checkpoint(kGguf / (std::string(name) + "-f32.gguf"));
        const LoadedModel source = load_checkpoint(kGguf / name);
        BOOST_TEST(gguf.format == "gguf");
        BOOST_TEST(gguf.stored_dtype == "F32");
        BOOST_TEST(gguf.warnings.empty());
        BOOST_TEST(gguf.config.tie_embeddings == source.config.tie_embeddings);
        const double err = relative_error(logits(gguf), logits(source));
        BOOST_TEST_MESSAGE(name << "-f32.gguf: relative error " << err);
        BOOST_TEST(err <= 1e-6, name << ": " << err);
    }
}

// A quantised file, read as float32, gives the logits of a float64 forward on gguf-py's decoding
// of the same file: the dequantisation is exact, the float32 arithmetic the only difference.
BOOST_AUTO_TEST_CASE(quantised_gguf_logits_equal_a_float64_forward_on_the_decoded_weights) {
    for (const char* name :
         {"mamba1-f16", "mamba1-q8_0", "mamba2-q8_0", "mamba1-q4q5", "mamba2k-kquant"}) {
        const LoadedModel gguf = load_checkpoint(kGguf / (std::string(name) + ".gguf"));
        const LoadedModel ref =
            load_checkpoint(kGguf / (std::string(name) + ".ref"), {.dtype = torch::kFloat64});
        BOOST_TEST(gguf.warnings.empty());
        // 1-D tensors, norms and conv1d stay F32 in every file.
        BOOST_TEST(contains(gguf.stored_dtype, "mixed ("), gguf.stored_dtype);
        BOOST_TEST(contains(gguf.stored_dtype, "F32"), gguf.stored_dtype);
        const double err = relative_error(logits(gguf), logits(ref));
        BOOST_TEST_MESSAGE(name << ".gguf (" << gguf.stored_dtype << "): relative error " << err);
        BOOST_TEST(err <= 1e-4, name << ": " << err);
    }
}

// convert writes what it read: the converted folder gives the logits of the GGUF file bit for
// bit (F32 as stored; a quantised file as its float32 decoding), and carries its tokenizer.
BOOST_AUTO_TEST_CASE(convert_of_a_gguf_file_keeps_its_logits) {
    const TempDir tmp;
    for (const char* name : {"mamba1-f32", "mamba2-f32", "mamba2k-kquant"}) {
        const std::filesystem::path dst = tmp / name;
        const ConvertResult r = convert_checkpoint(kGguf / (std::string(name) + ".gguf"), dst);
        BOOST_TEST(r.source_format == "gguf");
        BOOST_TEST(r.dtype == "F32");
        BOOST_TEST(std::filesystem::exists(dst / "tokenizer.json"));
        const LoadedModel gguf = load_checkpoint(kGguf / (std::string(name) + ".gguf"));
        const LoadedModel converted = load_checkpoint(dst);
        BOOST_TEST(converted.format == "safetensors");
        BOOST_TEST(converted.stored_dtype == "F32");
        BOOST_TEST(converted.tokenizer_text == gguf.tokenizer_text);
        BOOST_TEST(torch::equal(logits(converted), logits(gguf)), name);
    }
}
