// The GGUF reader: the container against files assembled byte by byte (every value type, the
// versions, the alignment, one test per kind of malformed header, each checking that the message
// names the file and the field or tensor at fault), and the checkpoints of tests/data/gguf
// (made by make_gguf.py with llama.cpp's gguf-py): every dequantised tensor bit for bit equal to
// gguf-py's own decoding, the F32 files equal to their source checkpoints, the configuration and
// the tokenizer equal to the source config.json and tokenizer.json.
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include <boost/test/unit_test.hpp>

#include "base/error.hpp"
#include "model/config/config_json.hpp"
#include "model/io/checkpoint_source.hpp"
#include "model/io/gguf/ggml_dequant.hpp"
#include "model/io/gguf/gguf_file.hpp"
#include "model/io/safetensors.hpp"
#include "model/tokenizer/bpe_tokenizer.hpp"
#include "tests/io/fixtures.hpp"
#include "tests/io/gguf_bytes.hpp"

using namespace ssmscope::model;
using namespace ssmscope::test;
namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(SSMSCOPE_SOURCE_DIR) / "tests/data/gguf";

fs::path write_gguf(const TempDir& dir, const GgufBytes& g, std::string_view name = "m.gguf") {
    const fs::path p = dir / name;
    write_file(p, g.build());
    return p;
}

std::string open_error(const GgufBytes& g) {
    const TempDir dir;
    const fs::path p = write_gguf(dir, g);
    const std::string msg = input_error([&] { GgufFile f(p); });
    BOOST_TEST(contains(msg, p.string()), msg);
    return msg;
}

std::vector<float> read_floats(const TensorStore& store, const StoredTensor& t) {
    std::vector<float> out(static_cast<std::size_t>(t.numel()));
    store.read(t, std::as_writable_bytes(std::span(out)));
    return out;
}

std::vector<float> floats(const SafetensorsFile& f, const TensorInfo& t) {
    std::vector<float> out(static_cast<std::size_t>(t.numel()));
    const auto b = f.data(t);
    BOOST_REQUIRE(b.size() == out.size() * 4);
    std::memcpy(out.data(), b.data(), b.size());
    return out;
}

std::uint32_t bits(float f) {
    std::uint32_t b;
    std::memcpy(&b, &f, 4);
    return b;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_value_type_is_read) {
    Bytes arr;
    put_u32(arr, gguf_type::u16);
    put_u64(arr, 3);
    for (unsigned v : {1U, 2U, 65535U})
        arr.insert(arr.end(), {std::byte(v & 0xFF), std::byte(v >> 8)});
    GgufBytes g;
    g.kv_raw("u8", gguf_type::u8, bytes({200}))
        .kv_raw("i8", gguf_type::i8, bytes({0xFE}))
        .kv_raw("u16", gguf_type::u16, bytes({0x34, 0x12}))
        .kv_raw("i16", gguf_type::i16, bytes({0xFF, 0xFF}))
        .kv_u32("u32", 4000000000U)
        .kv_raw("i32", gguf_type::i32, bytes({0xFD, 0xFF, 0xFF, 0xFF}))
        .kv_f32("f32", 0.5F)
        .kv_bool("bool", true)
        .kv_str("string", "mamba")
        .kv_raw("u64", gguf_type::u64, u64_le(1ULL << 40))
        .kv_raw("i64", gguf_type::i64, u64_le(static_cast<std::uint64_t>(-7LL)))
        .kv_raw("f64", gguf_type::f64, u64_le(0x3FF8000000000000ULL))  // 1.5
        .kv_raw("array", gguf_type::array, arr)
        .kv_strings("strings", {"a", "", "bc"})
        .tensor("t", {2, 3}, ggml_type::f32, f32_bytes({1, 2, 3, 4, 5, 6}));
    const TempDir dir;
    const GgufFile f(write_gguf(dir, g));
    BOOST_TEST(f.version() == 3u);
    BOOST_TEST(f.alignment() == 32u);
    BOOST_TEST(f.find("u8")->u == 200u);
    BOOST_TEST(f.find("i8")->i == -2);
    BOOST_TEST(f.find("u16")->u == 0x1234u);
    BOOST_TEST(f.find("i16")->i == -1);
    BOOST_TEST(f.find("u32")->u == 4000000000U);
    BOOST_TEST(f.find("i32")->i == -3);
    BOOST_TEST(f.find("f32")->f == 0.5);
    BOOST_TEST(f.find("bool")->u == 1u);
    BOOST_TEST(f.find("string")->s == "mamba");
    BOOST_TEST(f.find("u64")->u == (1ULL << 40));
    BOOST_TEST(f.find("i64")->i == -7);
    BOOST_TEST(f.find("f64")->f == 1.5);
    const GgufValue* a = f.find("array");
    BOOST_TEST(a->count == 3u);
    BOOST_TEST(a->item(2).u == 65535u);
    BOOST_TEST((f.find("strings")->strings == std::vector<std::string>{"a", "", "bc"}));
    BOOST_TEST(f.find("missing") == nullptr);
    const GgufTensorInfo* t = f.find_tensor("t");
    BOOST_REQUIRE(t);
    BOOST_TEST((t->shape() == std::vector<std::int64_t>{3, 2}));  // ne reversed
    BOOST_TEST(t->nbytes == 24u);
    BOOST_TEST(to_bytes(f.data(*t)) == f32_bytes({1, 2, 3, 4, 5, 6}));
}

BOOST_AUTO_TEST_CASE(version_2_and_alignment_are_read) {
    GgufBytes g(2);
    g.alignment(64).kv_u32("general.alignment", 64);
    g.tensor("a", {3}, ggml_type::f32, f32_bytes({1, 2, 3}))
        .tensor("b", {2}, ggml_type::f32, f32_bytes({4, 5}));
    const TempDir dir;
    const GgufFile f(write_gguf(dir, g));
    BOOST_TEST(f.version() == 2u);
    BOOST_TEST(f.alignment() == 64u);
    BOOST_TEST(f.find_tensor("b")->offset == 64u);
    BOOST_TEST(to_bytes(f.data(*f.find_tensor("b"))) == f32_bytes({4, 5}));
}

BOOST_AUTO_TEST_CASE(malformed_headers_are_refused_naming_the_field) {
    const auto f32_tensor = [](GgufBytes g) {
        return g.tensor("blk.0.ssm_in.weight", {4}, ggml_type::f32, f32_bytes({1, 2, 3, 4}));
    };
    Bytes bad_magic = GgufBytes().build();
    bad_magic[0] = std::byte{'X'};
    {
        const TempDir dir;
        write_file(dir / "m.gguf", bad_magic);
        const std::string msg = input_error([&] { GgufFile f(dir / "m.gguf"); });
        BOOST_TEST(contains(msg, "expected the magic \"GGUF\""), msg);
    }
    BOOST_TEST(contains(open_error(GgufBytes(1)), "GGUF version 1 is not supported"));
    BOOST_TEST(contains(open_error(GgufBytes(7)), "version 7: expected 2 or 3"));
    BOOST_TEST(contains(open_error(GgufBytes(3U << 24)), "big-endian"));
    BOOST_TEST(
        contains(open_error(GgufBytes().truncate(12)), "header: tensor count needs 8 bytes"));
    BOOST_TEST(contains(open_error(GgufBytes().counts(1ULL << 60, 0)),
                        "tensor count 1152921504606846976 cannot fit"));
    BOOST_TEST(contains(open_error(GgufBytes().kv_str("general.name", "x").truncate(1)),
                        "metadata 'general.name': string length 1 runs past the end"));
    {
        Bytes huge;
        put_u64(huge, 1ULL << 62);
        BOOST_TEST(
            contains(open_error(GgufBytes().kv_raw("general.name", gguf_type::string, huge)),
                     "metadata 'general.name': string length 4611686018427387904 runs past"));
    }
    {
        Bytes arr;
        put_u32(arr, gguf_type::i32);
        put_u64(arr, 1ULL << 40);
        BOOST_TEST(contains(
            open_error(GgufBytes().kv_raw("tokenizer.ggml.token_type", gguf_type::array, arr)),
            "metadata 'tokenizer.ggml.token_type': array count 1099511627776"));
    }
    {
        Bytes nested;
        put_u32(nested, gguf_type::array);
        put_u64(nested, 0);
        BOOST_TEST(contains(open_error(GgufBytes().kv_raw("x", gguf_type::array, nested)),
                            "metadata 'x': an array of arrays"));
    }
    BOOST_TEST(contains(open_error(GgufBytes().kv_raw("x", 13, bytes({0}))),
                        "metadata 'x': value type 13: expected 0 to 12"));
    BOOST_TEST(contains(open_error(GgufBytes().kv_raw("x", gguf_type::boolean, bytes({2}))),
                        "metadata 'x': bool: expected 0 or 1, found 2"));
    BOOST_TEST(contains(open_error(GgufBytes().kv_u32("x", 1).kv_u32("x", 2)),
                        "metadata 'x': the key appears twice"));
    BOOST_TEST(contains(open_error(GgufBytes().kv_u32("general.alignment", 48)),
                        "metadata 'general.alignment': expected a power of two, found 48"));
    BOOST_TEST(contains(open_error(GgufBytes().kv_str("general.alignment", "32")),
                        "expected a uint32, found the string \"32\""));
    BOOST_TEST(contains(
        open_error(GgufBytes().tensor("t", {1, 1, 1, 1, 1}, ggml_type::f32, f32_bytes({1}))),
        "tensor 't': n_dims: expected 1 to 4, found 5"));
    BOOST_TEST(
        contains(open_error(GgufBytes().tensor("t", {1ULL << 32, 1ULL << 32}, ggml_type::f32, {})),
                 "tensor 't': the product of the dimensions overflows 64 bits"));
    BOOST_TEST(contains(open_error(GgufBytes().tensor("t", {0}, ggml_type::f32, {})),
                        "tensor 't': dimension 0: expected a positive size, found 0"));
    BOOST_TEST(contains(open_error(GgufBytes().tensor("t", {4}, 99, {})),
                        "tensor 't': type 99: not a ggml type"));
    BOOST_TEST(contains(open_error(GgufBytes().tensor("t", {256}, 16, {})),
                        "tensor 't': type IQ2_XXS is not supported (read: F32, F16, Q4_0"));
    BOOST_TEST(contains(open_error(GgufBytes().tensor("t", {16, 2}, ggml_type::q8_0, {})),
                        "tensor 't': row length 16 is not a multiple of Q8_0's block of 32"));
    BOOST_TEST(contains(
        open_error(f32_tensor(GgufBytes()).tensor("u", {1}, ggml_type::f32, f32_bytes({1}), 8)),
        "tensor 'u': offset 8 is not a multiple of the alignment 32"));
    BOOST_TEST(contains(open_error(f32_tensor(GgufBytes()).truncate(4)),
                        "tensor 'blk.0.ssm_in.weight': offset 0 + 16 bytes runs past the end of "
                        "the 12-byte data section"));
    BOOST_TEST(contains(open_error(GgufBytes()
                                       .tensor("a", {16}, ggml_type::f32, Bytes(64))
                                       .tensor("b", {4}, ggml_type::f32, Bytes(16), 32)),
                        "tensor 'b': bytes [32, 48) overlap tensor 'a' [0, 64)"));
    BOOST_TEST(contains(open_error(f32_tensor(f32_tensor(GgufBytes()))),
                        "tensor 'blk.0.ssm_in.weight': the name appears twice"));
    BOOST_TEST(contains(open_error(GgufBytes().tensor("t", {1}, ggml_type::f32, {}).truncate(11)),
                        "tensor 't': the offset needs 8 bytes"));
}

BOOST_AUTO_TEST_CASE(half_and_bfloat16_decode_exactly) {
    BOOST_TEST(half_to_float(0x3C00) == 1.0F);
    BOOST_TEST(half_to_float(0xC000) == -2.0F);
    BOOST_TEST(half_to_float(0x0001) == std::ldexp(1.0F, -24));  // smallest subnormal
    BOOST_TEST(half_to_float(0x03FF) == std::ldexp(1023.0F, -24));
    BOOST_TEST(half_to_float(0x7BFF) == 65504.0F);
    BOOST_TEST(std::isinf(half_to_float(0x7C00)));
    BOOST_TEST(std::isnan(half_to_float(0x7E00)));
    BOOST_TEST(bits(half_to_float(0x8000)) == 0x80000000u);
    BOOST_TEST(bf16_to_float(0x3FC0) == 1.5F);
    // Every half against the float → half → float round trip of the compiler's conversion.
    for (std::uint32_t h = 0; h < 0x10000; ++h) {
        const float f = half_to_float(static_cast<std::uint16_t>(h));
        if (std::isnan(f))
            continue;
        const auto back = static_cast<_Float16>(f);
        std::uint16_t hb;
        std::memcpy(&hb, &back, 2);
        BOOST_TEST_REQUIRE(hb == h);
    }
}

// Every tensor of each quantised test file, read through the checkpoint store (names mapped, the
// converter's transforms undone), against the values gguf-py's quants.dequantize gives.
BOOST_AUTO_TEST_CASE(dequantised_tensors_equal_gguf_py) {
    std::set<std::string> types;
    for (const char* name :
         {"mamba1-f16", "mamba1-q8_0", "mamba2-q8_0", "mamba1-q4q5", "mamba2k-kquant"}) {
        BOOST_TEST_CONTEXT(name) {
            const CheckpointSource src =
                open_checkpoint_source(kData / (std::string(name) + ".gguf"));
            const SafetensorsFile ref(kData / (std::string(name) + ".ref") / "model.safetensors");
            BOOST_TEST((src.format == CheckpointFormat::Gguf));
            std::size_t checked = 0;
            for (const TensorInfo& r : ref.tensors()) {
                BOOST_TEST_CONTEXT(r.name) {
                    const StoredTensor* t = src.tensors->find(r.name);
                    BOOST_REQUIRE(t);
                    BOOST_TEST(t->shape == r.shape);
                    BOOST_TEST((t->dtype == DType::F32));
                    types.insert(t->stored_type);
                    const auto got = read_floats(*src.tensors, *t);
                    const auto want = floats(ref, r);
                    std::size_t differ = 0;
                    for (std::size_t k = 0; k < got.size(); ++k)
                        differ += bits(got[k]) != bits(want[k]);
                    BOOST_TEST(differ == 0u);
                    ++checked;
                }
            }
            BOOST_TEST(checked == src.tensors->names().size());
        }
    }
    for (const char* t :
         {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"}) {
        BOOST_TEST(types.count(t) == 1u, t);
    }
}

// The F32 files hold the source checkpoint's values; A_log comes back through log(−(−exp(A_log))),
// within the rounding of A: an absolute error of a few float32 ulps of 1.
BOOST_AUTO_TEST_CASE(f32_files_equal_their_source) {
    for (const char* name : {"mamba1", "mamba2"}) {
        BOOST_TEST_CONTEXT(name) {
            const CheckpointSource src =
                open_checkpoint_source(kData / (std::string(name) + "-f32.gguf"));
            const SafetensorsFile ref(kData / name / "model.safetensors");
            BOOST_TEST(src.tensors->names().size() == ref.tensors().size());
            double worst = 0;
            for (const TensorInfo& r : ref.tensors()) {
                const StoredTensor* t = src.tensors->find(r.name);
                BOOST_REQUIRE_MESSAGE(t, r.name);
                BOOST_TEST(t->shape == r.shape, r.name);
                const auto got = read_floats(*src.tensors, *t);
                const auto want = floats(ref, r);
                for (std::size_t k = 0; k < got.size(); ++k) {
                    const double e = std::abs(static_cast<double>(got[k]) - want[k]);
                    if (r.name.find("A_log") == std::string::npos)
                        BOOST_TEST_REQUIRE(bits(got[k]) == bits(want[k]), r.name);
                    worst = std::max(worst, e);
                }
            }
            BOOST_TEST_MESSAGE(name << ": A_log's largest absolute difference " << worst);
            BOOST_TEST(worst <= 2.5e-7);
        }
    }
}

BOOST_AUTO_TEST_CASE(config_equals_the_source_config) {
    for (const char* name : {"mamba1", "mamba2"}) {
        BOOST_TEST_CONTEXT(name) {
            const CheckpointSource src =
                open_checkpoint_source(kData / (std::string(name) + "-f32.gguf"));
            const ModelConfig got = parse_config_text(src.config_text, src.config_source);
            const ModelConfig want = load_config(kData / name);
            BOOST_TEST((got.arch == want.arch));
            BOOST_TEST(got.d_model == want.d_model);
            BOOST_TEST(got.n_layer == want.n_layer);
            BOOST_TEST(got.padded_vocab() == want.padded_vocab());
            BOOST_TEST(got.d_state == want.d_state);
            BOOST_TEST(got.d_conv == want.d_conv);
            BOOST_TEST(got.expand == want.expand);
            BOOST_TEST(got.dt_rank == want.dt_rank);
            BOOST_TEST(got.headdim == want.headdim);
            BOOST_TEST(got.ngroups == want.ngroups);
            BOOST_TEST(got.tie_embeddings == want.tie_embeddings);
            BOOST_TEST(got.conv_bias == want.conv_bias);
            BOOST_TEST(got.proj_bias == want.proj_bias);
            BOOST_TEST(static_cast<float>(got.norm_eps) == static_cast<float>(want.norm_eps));
            BOOST_TEST((got.bos_token_id == want.bos_token_id));
            BOOST_TEST((got.eos_token_id == want.eos_token_id));
            BOOST_TEST(src.format_detail == "GGUF v3 (F32)");
        }
    }
}

BOOST_AUTO_TEST_CASE(tokenizer_encodes_as_the_source_tokenizer) {
    const CheckpointSource src = open_checkpoint_source(kData / "mamba1-q8_0.gguf");
    BOOST_REQUIRE(!src.tokenizer_text.empty());
    const auto got = parse_tokenizer_json(src.tokenizer_text, src.tokenizer_source);
    const auto want = load_tokenizer_json(kData / "mamba1" / "tokenizer.json");
    BOOST_TEST(got->vocab_size() == want->vocab_size());
    for (const char* text :
         {"hello", "abc aab", "h\xC3\xA9llo 12!!", "<|endoftext|>hello\n\nd't", " a  a", "xyz?"}) {
        const auto ids = want->encode(text);
        BOOST_TEST(got->encode(text) == ids, text);
        BOOST_TEST(got->decode(ids) == want->decode(ids), text);
    }
}

BOOST_AUTO_TEST_CASE(other_tokenizer_models_leave_the_tokenizer_empty) {
    GgufBytes g;
    tiny_mamba_metadata(g)
        .kv_str("tokenizer.ggml.model", "llama")
        .kv_strings("tokenizer.ggml.tokens", {"a"});
    g.tensor("token_embd.weight", {4, 3}, ggml_type::f32, Bytes(48));
    const TempDir dir;
    const CheckpointSource src = open_checkpoint_source(write_gguf(dir, g));
    BOOST_TEST(src.tokenizer_text.empty());
    BOOST_TEST(contains(src.format_detail, "tokenizer.ggml.model \"llama\" is not read"),
               src.format_detail);
    const ModelConfig c = parse_config_text(src.config_text, src.config_source);
    BOOST_TEST(c.vocab_size == 3);
    BOOST_TEST(c.tie_embeddings);
}

BOOST_AUTO_TEST_CASE(metadata_of_the_wrong_kind_is_refused) {
    const TempDir dir;
    const auto error = [&](GgufBytes g) {
        g.tensor("token_embd.weight", {4, 3}, ggml_type::f32, Bytes(48));
        const fs::path p = write_gguf(dir, g);
        return input_error([&] { open_checkpoint_source(p); });
    };
    GgufBytes llama;
    llama.kv_str("general.architecture", "llama");
    BOOST_TEST(contains(error(llama),
                        "metadata 'general.architecture': expected \"mamba\" or "
                        "\"mamba2\", found the string \"llama\""));
    GgufBytes no_layers;
    no_layers.kv_str("general.architecture", "mamba").kv_u32("mamba.embedding_length", 4);
    BOOST_TEST(contains(error(no_layers),
                        "metadata 'mamba.block_count': expected a positive "
                        "integer, found nothing (the key is missing)"));
    GgufBytes text_size;
    text_size.kv_str("general.architecture", "mamba").kv_str("mamba.embedding_length", "4");
    BOOST_TEST(contains(error(text_size),
                        "metadata 'mamba.embedding_length': expected a "
                        "positive integer, found the string \"4\""));
    GgufBytes falcon;
    tiny_mamba_metadata(falcon).kv_bool("mamba.ssm.dt_b_c_rms", true);
    BOOST_TEST(contains(error(falcon), "'mamba.ssm.dt_b_c_rms': expected false (Falcon-Mamba"));
    GgufBytes bad_token;
    tiny_mamba_metadata(bad_token)
        .kv_str("tokenizer.ggml.model", "gpt2")
        .kv_strings("tokenizer.ggml.tokens", {"a", "\xFF"});
    BOOST_TEST(contains(error(bad_token), "'tokenizer.ggml.tokens[1]': not valid UTF-8"));
    GgufBytes dup_token;
    tiny_mamba_metadata(dup_token)
        .kv_str("tokenizer.ggml.model", "gpt2")
        .kv_strings("tokenizer.ggml.tokens", {"a", "b", "a"});
    BOOST_TEST(contains(error(dup_token), "'tokenizer.ggml.tokens[2]': the token also has id 0"));
    GgufBytes types;
    tiny_mamba_metadata(types)
        .kv_str("tokenizer.ggml.model", "gpt2")
        .kv_strings("tokenizer.ggml.tokens", {"a", "b"})
        .kv_i32s("tokenizer.ggml.token_type", {1});
    BOOST_TEST(contains(error(types),
                        "'tokenizer.ggml.token_type': expected one type per token "
                        "(2), found an array of 1 int32"));
}

BOOST_AUTO_TEST_CASE(a_positive_ssm_a_is_refused_on_read) {
    GgufBytes g;
    tiny_mamba_metadata(g)
        .tensor("token_embd.weight", {4, 3}, ggml_type::f32, Bytes(48))
        .tensor("blk.0.ssm_a", {2, 8}, ggml_type::f32, f32_bytes(std::vector<float>(16, 0.5F)));
    const TempDir dir;
    const CheckpointSource src = open_checkpoint_source(write_gguf(dir, g));
    const StoredTensor* t = src.tensors->find("backbone.layers.0.mixer.A_log");
    BOOST_REQUIRE(t);
    BOOST_TEST((t->shape == std::vector<std::int64_t>{8, 2}));
    const std::string msg = input_error([&] { read_floats(*src.tensors, *t); });
    BOOST_TEST(contains(msg, "tensor 'blk.0.ssm_a': A = -exp(A_log) must be negative, found 0.5"),
               msg);
}
