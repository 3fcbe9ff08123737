// save → load is bitwise identical for every architecture (tied, untied, sharded); loading
// rejects checkpoints that contradict config.json or hold non-finite weights, naming the tensor.
// The torch.save files of tests/data/pytorch give the logits of their safetensors copies, bit for
// bit, and the malicious ones are refused without anything running.
// GGUF files (tests/data/gguf) give the logits of the checkpoints they were made from.
#include <boost/test/unit_test.hpp>
#include <c10/core/CPUAllocator.h>
#include <torch/torch.h>

#include "base/error.hpp"
#include "model/checkpoint/checkpoint.hpp"
#include "model/checkpoint/convert.hpp"
#include "model/io/checkpoint_files.hpp"
#include "model/probe/probe.hpp"
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

namespace fs = std::filesystem;

const fs::path kPytorchData = fs::path(SSMSCOPE_SOURCE_DIR) / "tests/data/pytorch";

// Where the os.system payload of tests/data/pytorch/malicious would leave its mark.
const fs::path kPayloadMarker = "/tmp/ssmscope-pytorch-payload-ran";

std::string expected_dtype(const std::string& case_name) {
    if (case_name.find("_bf16") != std::string::npos)
        return "BF16";
    if (case_name.find("_f16") != std::string::npos)
        return "F16";
    return "F32";
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

// Loaded as stored (what the analysis does), each weight keeps its type and, in safetensors and
// in a pytorch_model.bin, lies in the file's mapping instead of memory the loader allocated; a
// write to one never reaches the file; and the probe sees exactly the values of a float32 load.
BOOST_AUTO_TEST_CASE(as_stored_weights_are_views_of_the_mapped_file) {
    const auto owned = [](const torch::Tensor& t) {
        return t.storage().data_ptr().get_deleter() == c10::GetCPUAllocator()->raw_deleter();
    };
    TempDir st;
    {
        auto m = tiny_model(Arch::Mamba, /*tied=*/false);
        m->to(torch::kBFloat16);
        save_checkpoint(*m, st.path());
    }
    const fs::path bin = kPytorchData / "hf_mamba_bf16" / "bin";
    BOOST_REQUIRE(fs::exists(bin));
    for (const fs::path& path : {st.path(), bin}) {
        BOOST_TEST_CONTEXT(path) {
            const LoadedModel f32 = load_checkpoint(path);
            const LoadedModel mapped = load_checkpoint(path, {.dtype = std::nullopt});
            int views = 0;
            for (const auto& item : mapped.model->named_parameters()) {
                const torch::Tensor& p = item.value();
                BOOST_TEST(
                    torch::equal(p.to(torch::kFloat32), f32.model->named_parameters()[item.key()]),
                    item.key());
                if (p.dim() == 2) {  // the matrices; a .bin keeps 1-D tensors in float32
                    BOOST_TEST((p.scalar_type() == torch::kBFloat16), item.key());
                    // The .bin stores layer 0's out_proj transposed (strides (1, 16)): a strided
                    // view is gathered into memory, every other matrix is the file's bytes.
                    const bool strided =
                        path == bin && contains(item.key(), "layers.0.mixer.out_proj");
                    BOOST_TEST(owned(p) == strided,
                               item.key()
                                   << (strided ? " was not gathered" : " was copied, not mapped"));
                    views += !owned(p);
                }
            }
            BOOST_TEST(views > 0);
            // The probe converts one block at a time and gives it back its mapped tensors.
            const std::vector<std::int64_t> tokens = {3, 17, 0, 42, 8, 8, 29, 1, 47, 5};
            const analysis::ProbeTrace a = probe(*mapped.model, tokens);
            const analysis::ProbeTrace b = probe(*f32.model, tokens);
            BOOST_TEST((a.hidden_norms == b.hidden_norms));
            BOOST_REQUIRE_EQUAL(a.layers.size(), b.layers.size());
            for (std::size_t i = 0; i < a.layers.size(); ++i) {
                BOOST_TEST((a.layers[i].delta == b.layers[i].delta));
                BOOST_TEST((a.layers[i].a == b.layers[i].a));
            }
            torch::Tensor w = mapped.model->mixer(0).named_parameters()["in_proj.weight"];
            BOOST_TEST((w.scalar_type() == torch::kBFloat16));
            BOOST_TEST(!owned(w));
            // Written in place: the page is copied for this process, the file keeps its values.
            torch::NoGradGuard no_grad;
            w.fill_(7.0);
            BOOST_TEST(torch::equal(
                load_checkpoint(path).model->mixer(0).named_parameters()["in_proj.weight"],
                f32.model->mixer(0).named_parameters()["in_proj.weight"]));
        }
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

BOOST_AUTO_TEST_CASE(pytorch_bins_give_the_logits_of_their_safetensors_copies) {
    const torch::Tensor tokens = torch::tensor({3, 17, 0, 42, 8, 8, 29, 1, 47, 5}).unsqueeze(0);
    int cases = 0;
    for (const auto& entry : fs::directory_iterator(kPytorchData)) {
        if (!fs::exists(entry.path() / "safetensors"))
            continue;
        ++cases;
        const std::string name = entry.path().filename().string();
        BOOST_TEST_CONTEXT(name) {
            const LoadedModel bin = load_checkpoint(entry.path() / "bin");
            const LoadedModel st = load_checkpoint(entry.path() / "safetensors");
            BOOST_TEST(bin.format == "pytorch");
            BOOST_TEST(st.format == "safetensors");
            BOOST_TEST(bin.sharded == (name.find("sharded") != std::string::npos));
            BOOST_TEST((bin.config.arch ==
                        (name.find("mamba2") != std::string::npos ? Arch::Mamba2 : Arch::Mamba)));
            BOOST_TEST((bin.config.arch == st.config.arch));
            BOOST_TEST(bin.stored_dtype == expected_dtype(name));
            BOOST_TEST(st.stored_dtype == expected_dtype(name));
            // The stored tied head is the embedding's storage: used, and equal to it.
            BOOST_TEST(bin.warnings.empty());
            BOOST_TEST(bin.config.tie_embeddings);
            // bf16 and f16 weights become the same float32 values from either file.
            const auto a = bin.model->named_parameters(), b = st.model->named_parameters();
            BOOST_REQUIRE_EQUAL(a.size(), b.size());
            for (const auto& item : a) {
                BOOST_TEST((item.value().scalar_type() == torch::kFloat32), item.key());
                BOOST_TEST(torch::equal(item.value(), b[item.key()]), item.key() << " differs");
            }
            BOOST_TEST(torch::equal(bin.model->lm_head_weight(), st.model->lm_head_weight()));
            torch::NoGradGuard no_grad;
            const torch::Tensor la = bin.model->forward(tokens), lb = st.model->forward(tokens);
            BOOST_TEST(la.isfinite().all().item<bool>());
            BOOST_TEST(la.abs().max().item<float>() > 0.0f);
            BOOST_TEST(torch::equal(la, lb),
                       "logits differ: max |a - b| = " << (la - lb).abs().max().item<float>());
        }
    }
    BOOST_TEST(cases == 13);
}

// convert of a .bin keeps the stored type (bf16 stays bf16) and the logits, bit for bit.
BOOST_AUTO_TEST_CASE(convert_of_a_pytorch_bin_keeps_its_logits) {
    const TempDir tmp;
    for (const char* name : {"mamba_ssm_mamba_bf16", "mamba_ssm_mamba2_f32", "hf_mamba2_f16",
                             "hf_mamba2_f32_sharded"}) {
        BOOST_TEST_CONTEXT(name) {
            const fs::path dst = tmp / name;
            const ConvertResult r = convert_checkpoint(kPytorchData / name / "bin", dst);
            BOOST_TEST(r.source_format == "pytorch");
            BOOST_TEST(r.dtype == expected_dtype(name));
            const LoadedModel bin = load_checkpoint(kPytorchData / name / "bin");
            const LoadedModel converted = load_checkpoint(dst);
            BOOST_TEST(converted.format == "safetensors");
            BOOST_TEST(converted.stored_dtype == expected_dtype(name));
            BOOST_TEST((converted.config.layout == Layout::HuggingFace));
            BOOST_TEST(torch::equal(logits(converted), logits(bin)));
        }
    }
}

BOOST_AUTO_TEST_CASE(malicious_pickles_are_refused_and_their_payload_never_runs) {
    fs::remove(kPayloadMarker);
    for (const auto& [dir, global] :
         std::vector<std::pair<std::string, std::string>>{{"os_system", "os.system"},
                                                          {"builtins_eval", "builtins.eval"},
                                                          {"unknown_global", "mymodule.Thing"}}) {
        const fs::path ckpt = kPytorchData / "malicious" / dir;
        const std::string msg = input_error([&] { load_checkpoint(ckpt); });
        BOOST_TEST(contains(msg, (ckpt / "pytorch_model.bin").string()), msg);
        BOOST_TEST(contains(msg, "data.pkl"), msg);
        BOOST_TEST(contains(msg, "global '" + global + "' is not allowed"), msg);
    }
    // torch.load (without weights_only) of os_system/pytorch_model.bin creates this file.
    BOOST_TEST(!fs::exists(kPayloadMarker));
    const std::string legacy = input_error([&] { load_checkpoint(kPytorchData / "legacy"); });
    BOOST_TEST(contains(legacy, "legacy torch.save format"), legacy);
}
