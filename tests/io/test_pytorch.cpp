// The PyTorch reader without LibTorch: the zip container, the restricted unpickler and the strided
// views on files assembled byte by byte, and the committed torch.save files of tests/data/pytorch
// (made by make_pytorch_checkpoints.py) read tensor for tensor as their safetensors copies.
#include <filesystem>
#include <string>

#include <boost/test/unit_test.hpp>

#include "model/io/checkpoint_source.hpp"
#include "model/io/pytorch/pickle_machine.hpp"
#include "model/io/pytorch/pytorch_store.hpp"
#include "model/io/pytorch/strided_copy.hpp"
#include "model/io/pytorch/zip_archive.hpp"
#include "tests/io/pytorch_fixtures.hpp"

using namespace ssmscope;
using namespace ssmscope::model;
using namespace ssmscope::test;
namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(SSMSCOPE_SOURCE_DIR) / "tests/data/pytorch";

// The marker make_pytorch_checkpoints.py's os.system payload would create.
const fs::path kMarker = "/tmp/ssmscope-pytorch-payload-ran";

std::string unpickle_error(const Bytes& pickle) {
    return input_error([&] { unpickle_state_dict(pickle, "t.pkl"); });
}

Bytes read_all(const TensorStore& store, const StoredTensor& t) {
    Bytes out(t.read_bytes());
    store.read(t, out);
    return out;
}

fs::path write_bin(const TempDir& dir, const Bytes& content) {
    write_file(dir / "pytorch_model.bin", content);
    return dir / "pytorch_model.bin";
}

}  // namespace

BOOST_AUTO_TEST_CASE(zip_entries_are_spans_of_the_file) {
    const Bytes zip = zip_bytes({{"a/x", text_bytes("hello"), 0}, {"a/y", text_bytes(""), 0}});
    for (bool zip64 : {true, false}) {
        const Bytes z =
            zip64 ? zip : zip_bytes({{"a/x", text_bytes("hello"), 0}, {"a/y", {}, 0}}, false);
        const ZipArchive archive(z, "z.zip");
        BOOST_REQUIRE_EQUAL(archive.entries().size(), 2u);
        const auto data = archive.data(*archive.find("a/x"));
        BOOST_TEST(to_bytes(data) == text_bytes("hello"));
        BOOST_TEST(data.data() >= z.data());
        BOOST_TEST(data.data() + data.size() <= z.data() + z.size());  // no copy
        BOOST_TEST(archive.data(*archive.find("a/y")).empty());
        BOOST_TEST(!archive.find("a/z"));
    }
}

BOOST_AUTO_TEST_CASE(zip64_extra_fields_give_sizes_and_offsets) {
    const Bytes z =
        zip_bytes({{"a/x", text_bytes("hi"), 0}, {"a/y", text_bytes("there"), 0}}, true, true);
    const ZipArchive archive(z, "z.zip");
    BOOST_TEST(archive.find("a/y")->size == 5u);
    BOOST_TEST(to_bytes(archive.data(*archive.find("a/y"))) == text_bytes("there"));
    BOOST_TEST(to_bytes(archive.data(*archive.find("a/x"))) == text_bytes("hi"));
    // Without the ZIP64 end records, an end record that defers to them is refused.
    Bytes no64 = zip_bytes({{"a/x", text_bytes("hi"), 0}}, false);
    for (std::size_t i = no64.size() - 6; i < no64.size() - 2; ++i)
        no64[i] = std::byte{0xFF};  // the central directory's offset
    check_mentions(input_error([&] { ZipArchive(no64, "z.zip"); }),
                   {"z.zip", "defers to a ZIP64 end record"});
}

BOOST_AUTO_TEST_CASE(truncated_corrupt_and_compressed_zips_are_refused) {
    const Bytes zip = zip_bytes({{"a/x", text_bytes("hello"), 0}, {"a/c", text_bytes("zz"), 8}});
    check_mentions(input_error([&] { ZipArchive(text_bytes("PK"), "f.bin"); }),
                   {"f.bin", "not a valid zip archive", "truncated"});
    const Bytes cut(zip.begin(), zip.end() - 30);
    check_mentions(input_error([&] { ZipArchive(cut, "f.bin"); }),
                   {"f.bin", "end-of-central-directory", "truncated or corrupt"});
    const ZipArchive archive(zip, "f.bin");
    check_mentions(input_error([&] { archive.data(*archive.find("a/c")); }),
                   {"f.bin", "'a/c'", "compressed (method 8, deflate)"});
    // The central directory points past the data: the local header is not where it says.
    Bytes bad = zip;
    bad[0] = std::byte{'X'};
    const ZipArchive moved(bad, "f.bin");
    check_mentions(input_error([&] { moved.data(*moved.find("a/x")); }),
                   {"f.bin", "'a/x'", "no local header"});
    BOOST_TEST(!looks_like_zip(text_bytes("GGUF")));
    BOOST_TEST(looks_like_zip(zip));
}

BOOST_AUTO_TEST_CASE(state_dict_pickle_gives_views_of_storages) {
    Pickle p;
    p.global("collections", "OrderedDict").op(')').op('R').op('q').byte(0).op('(');
    p.string("w").tensor("BFloat16Storage", "7", 12, 2, {2, 3}, {1, 2}).op('q').byte(1);
    p.string("tied").op('h').byte(1);  // the same tensor again, as a tied head is memoised
    p.op('u');
    // nn.Module.state_dict's _metadata, set by BUILD: read and ignored.
    p.op('}').string("_metadata").op('}').op('s').op('b').stop();
    const PickledStateDict sd = unpickle_state_dict(p.bytes(), "t.pkl");
    BOOST_REQUIRE_EQUAL(sd.storages.size(), 1u);
    BOOST_TEST(sd.storages[0].key == "7");
    BOOST_TEST((sd.storages[0].dtype == DType::BF16));
    BOOST_TEST(sd.storages[0].numel == 12);
    BOOST_REQUIRE_EQUAL(sd.tensors.size(), 2u);
    BOOST_TEST(sd.tensors[0].name == "w");
    BOOST_TEST(sd.tensors[0].offset == 2);
    BOOST_TEST((sd.tensors[0].sizes == std::vector<std::int64_t>{2, 3}));
    BOOST_TEST((sd.tensors[0].strides == std::vector<std::int64_t>{1, 2}));
    BOOST_TEST(sd.tensors[1].name == "tied");
    BOOST_TEST(sd.tensors[1].storage == sd.tensors[0].storage);
}

BOOST_AUTO_TEST_CASE(globals_and_opcodes_outside_the_allow_list_are_refused) {
    Pickle system;
    system.op('}').string("w").global("os", "system").string("touch /tmp/x").op(0x85).op('R');
    system.op('s').stop();
    check_mentions(unpickle_error(system.bytes()),
                   {"t.pkl", "global 'os.system' is not allowed", "weights_only"});
    Pickle eval;
    eval.global("builtins", "eval").stop();
    check_mentions(unpickle_error(eval.bytes()), {"global 'builtins.eval' is not allowed"});
    Pickle storage;
    storage.global("torch", "ComplexFloatStorage").stop();
    check_mentions(unpickle_error(storage.bytes()),
                   {"unknown storage type 'torch.ComplexFloatStorage'", "torch.FloatStorage"});
    // An allowed name that is not a callable.
    Pickle call;
    call.global("torch", "FloatStorage").op(')').op('R').stop();
    check_mentions(unpickle_error(call.bytes()), {"'torch.FloatStorage' cannot be called"});
    for (const auto& [op, name] :
         std::vector<std::pair<unsigned char, std::string>>{{'i', "INST"},
                                                            {'o', "OBJ"},
                                                            {0x81, "NEWOBJ"},
                                                            {0x93, "STACK_GLOBAL"},
                                                            {'P', "PERSID"},
                                                            {0x82, "EXT1"}}) {
        Pickle p;
        p.op(op).stop();
        check_mentions(unpickle_error(p.bytes()),
                       {"opcode " + name, "is not allowed", "at byte 2"});
    }
}

BOOST_AUTO_TEST_CASE(a_pickle_that_is_not_a_dict_of_tensors_is_refused) {
    Pickle list;
    list.op(']').stop();
    check_mentions(unpickle_error(list.bytes()), {"holds a list", "expected a state dict"});
    Pickle nested;
    nested.op('}').string("model").op('}').op('s').stop();
    check_mentions(unpickle_error(nested.bytes()),
                   {"entry 'model' holds a dict", "expected a tensor"});
    Pickle truncated;
    truncated.op('}');
    check_mentions(unpickle_error(truncated.bytes()), {"without a STOP"});
    Pickle cut;
    cut.op('X').byte(200).byte(0).byte(0).byte(0).raw("ab");
    check_mentions(unpickle_error(cut.bytes()), {"runs past the end"});
    Pickle get;
    get.op('h').byte(3).stop();
    check_mentions(unpickle_error(get.bytes()), {"memo entry 3"});
    Pickle empty;
    empty.op('}').op('s').stop();
    check_mentions(unpickle_error(empty.bytes()), {"empty stack"});
}

BOOST_AUTO_TEST_CASE(strided_views_are_gathered_row_major) {
    // A 2x3 view with strides (1, 2) at offset 1 of [0..7]: its transpose-like layout.
    const Bytes storage = floats({0, 1, 2, 3, 4, 5, 6, 7});
    const StridedView v{1, {2, 3}, {1, 2}};
    BOOST_TEST(*view_numel(v) == 6);
    BOOST_TEST(*view_extent(v) == 7);
    Bytes out(6 * sizeof(float));
    copy_strided(storage, sizeof(float), v, out);
    BOOST_TEST(out == floats({1, 3, 5, 2, 4, 6}));
    BOOST_TEST(*view_extent(StridedView{5, {0, 3}, {1, 1}}) == 0);
    BOOST_TEST(!view_extent(StridedView{0, {3}, {INT64_MAX}}));
    BOOST_TEST(!view_numel(StridedView{0, {INT64_MAX, 4}, {1, 1}}));
}

BOOST_AUTO_TEST_CASE(a_file_assembled_by_hand_reads) {
    TempDir dir;
    const Bytes bin = torch_zip(one_tensor_pickle("w", 3), {{"0", floats({1, 2, 3})}});
    const OpenedStore store = open_pytorch_store(write_bin(dir, bin));
    BOOST_TEST(store.detail == "torch.save zip");
    const StoredTensor* w = store.tensors->find("w");
    BOOST_REQUIRE(w);
    BOOST_TEST((w->shape == std::vector<std::int64_t>{3}));
    BOOST_TEST(read_all(*store.tensors, *w) == floats({1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(parameters_and_integer_storages_read_as_what_they_hold) {
    // nn.Parameter pickles as _rebuild_parameter(tensor, requires_grad, hooks); an int64 storage
    // is reported as I64, for load_checkpoint to refuse as a weight by name.
    Pickle p;
    p.op('}').string("p").global("torch._utils", "_rebuild_parameter").op('(');
    p.tensor("FloatStorage", "0", 3, 1, {2}, {1}).op(0x88);
    p.global("collections", "OrderedDict").op(')').op('R').op('t').op('R').op('s');
    p.string("step").tensor("LongStorage", "1", 1, 0, {}, {}).op('s').stop();
    Bytes one(8, std::byte{0});
    one[0] = std::byte{7};
    TempDir dir;
    const OpenedStore store = open_pytorch_store(
        write_bin(dir, torch_zip(p.bytes(), {{"0", floats({1, 2, 3})}, {"1", one}})));
    const StoredTensor* param = store.tensors->find("p");
    const StoredTensor* step = store.tensors->find("step");
    BOOST_REQUIRE(param && step);
    BOOST_TEST(read_all(*store.tensors, *param) == floats({2, 3}));
    BOOST_TEST((step->dtype == DType::I64));
    BOOST_TEST(step->stored_type == "I64");
    BOOST_TEST(step->shape.empty());
    BOOST_TEST(read_all(*store.tensors, *step) == one);
}

BOOST_AUTO_TEST_CASE(records_that_contradict_the_pickle_are_refused) {
    TempDir dir;
    const auto error = [&](const Bytes& bin) {
        return input_error([&] { open_pytorch_store(write_bin(dir, bin)); });
    };
    check_mentions(error(torch_zip(one_tensor_pickle("w", 3), {})),
                   {"pytorch_model.bin", "tensor 'w'", "record 'archive/data/0' is missing"});
    check_mentions(error(torch_zip(one_tensor_pickle("w", 3), {{"0", floats({1, 2})}})),
                   {"tensor 'w'", "holds 8 bytes, fewer than the 3 elements"});
    Pickle view;
    view.op('}').string("w").tensor("FloatStorage", "0", 3, 2, {2}, {1}).op('s').stop();
    check_mentions(error(torch_zip(view.bytes(), {{"0", floats({1, 2, 3})}})),
                   {"tensor 'w'", "storage_offset 2, size [2], stride [1]", "past the 3 elements"});
    check_mentions(error(torch_zip(one_tensor_pickle("w", 3), {{"0", floats({1, 2, 3})}}, 8)),
                   {"'archive/data/0'", "compressed"});
    auto big = zip_bytes({{"archive/data.pkl", one_tensor_pickle("w", 1), 0},
                          {"archive/byteorder", text_bytes("big"), 0},
                          {"archive/data/0", floats({1}), 0}});
    check_mentions(error(big), {"archive/byteorder", "big-endian"});
    check_mentions(error(zip_bytes({{"archive/version", text_bytes("3\n"), 0}})),
                   {"without the record <archive>/data.pkl"});
    // The legacy format begins with PROTO 2 and the 10-byte magic number.
    check_mentions(error(bytes({0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a,
                                0xa8, 0x50, 0x19, 0x2e})),
                   {"pytorch_model.bin", "legacy torch.save format", "torch >= 1.6"});
}

BOOST_AUTO_TEST_CASE(committed_checkpoints_read_as_their_safetensors_copies) {
    int cases = 0;
    for (const auto& entry : fs::directory_iterator(kData)) {
        if (!fs::exists(entry.path() / "safetensors"))
            continue;
        ++cases;
        const std::string name = entry.path().filename().string();
        const CheckpointSource bin = open_checkpoint_source(entry.path() / "bin");
        const CheckpointSource st = open_checkpoint_source(entry.path() / "safetensors");
        BOOST_TEST((bin.format == CheckpointFormat::Pytorch), name);
        BOOST_TEST(bin.sharded == (name.find("sharded") != std::string::npos), name);
        for (const std::string& t : st.tensors->names()) {
            const StoredTensor* a = bin.tensors->find(t);
            const StoredTensor* b = st.tensors->find(t);
            BOOST_REQUIRE_MESSAGE(a, name << ": " << t << " is missing");
            BOOST_TEST((a->dtype == b->dtype), name << ": " << t);
            BOOST_TEST(a->shape == b->shape, name << ": " << t);
            BOOST_TEST(read_all(*bin.tensors, *a) == read_all(*st.tensors, *b), name << ": " << t);
        }
        // The tied head is the embedding's storage, saved once.
        if (const StoredTensor* head = bin.tensors->find("lm_head.weight")) {
            const std::string embed = bin.tensors->find("backbone.embedding.weight")
                                          ? "backbone.embedding.weight"
                                          : "backbone.embeddings.weight";
            BOOST_TEST(
                read_all(*bin.tensors, *head) == read_all(*bin.tensors, *bin.tensors->find(embed)),
                name);
        } else {
            BOOST_TEST(bin.sharded, name << ": only the sharded case leaves out the tied head");
        }
    }
    BOOST_TEST(cases == 13);
}

BOOST_AUTO_TEST_CASE(committed_malicious_pickles_are_refused_and_nothing_runs) {
    fs::remove(kMarker);
    for (const auto& [dir, global] :
         std::vector<std::pair<std::string, std::string>>{{"os_system", "os.system"},
                                                          {"builtins_eval", "builtins.eval"},
                                                          {"unknown_global", "mymodule.Thing"}}) {
        const fs::path file = kData / "malicious" / dir / "pytorch_model.bin";
        check_mentions(input_error([&] { open_checkpoint_source(file.parent_path()); }),
                       {file.string(), "data.pkl", "global '" + global + "' is not allowed"});
    }
    BOOST_TEST(!fs::exists(kMarker));
    check_mentions(input_error([&] { open_checkpoint_source(kData / "legacy"); }),
                   {"legacy torch.save format"});
}
