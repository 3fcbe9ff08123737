// Checkpoint directories: one model.safetensors, shards listed by an index (all built byte by
// byte), the errors of a damaged directory, and write_checkpoint_tensors' sharding, read back.
#include <algorithm>
#include <set>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "model/io/checkpoint_files.hpp"
#include "model/io/checkpoint_names.hpp"
#include "tests/io/fixtures.hpp"

using namespace ssmscope::model;
using namespace ssmscope::test;

namespace {

const std::string kShard1 = "model-00001-of-00002.safetensors";
const std::string kShard2 = "model-00002-of-00002.safetensors";

// a: F32 [2] = 1.0, 0.5; c: I16 [1] = 0x1234; b: U8 [3] = 1, 2, 3.
const Bytes kA = bytes({0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x3F});
const Bytes kC = bytes({0x34, 0x12});
const Bytes kB = bytes({1, 2, 3});

void write_shard1(const TempDir& dir) {
    write_file(dir / kShard1,
               safetensors_bytes(R"({"__metadata__":{"format":"pt"},)"
                                 R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                 R"("c":{"dtype":"I16","shape":[1],"data_offsets":[8,10]}})",
                                 concat({kA, kC})));
}

void write_shard2(const TempDir& dir) {
    write_file(dir / kShard2,
               safetensors_bytes(R"({"__metadata__":{"format":"pt"},)"
                                 R"("b":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}})",
                                 kB));
}

const std::string kIndex = R"({"metadata": {"total_size": 13}, "weight_map": {)"
                           R"("a": "model-00001-of-00002.safetensors",)"
                           R"("b": "model-00002-of-00002.safetensors",)"
                           R"("c": "model-00001-of-00002.safetensors"}})";

void write_index(const TempDir& dir, std::string_view text) {
    write_file(dir / "model.safetensors.index.json", text);
}

std::string open_error(const std::filesystem::path& dir) {
    return input_error([&] { CheckpointFiles c(dir); });
}

Bytes tensor_bytes(const CheckpointFiles& c, std::string_view name) {
    const auto e = c.find(name);
    BOOST_REQUIRE(e.has_value());
    return to_bytes(e->file->data(*e->info));
}

std::set<std::string> dir_listing(const TempDir& dir) {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
        names.insert(e.path().filename().string());
    return names;
}

}  // namespace

BOOST_AUTO_TEST_CASE(shard_names_follow_the_transformers_pattern) {
    BOOST_TEST(shard_file_name(2, 3) == "model-00002-of-00003.safetensors");
    BOOST_TEST(is_checkpoint_file_name("model.safetensors"));
    BOOST_TEST(is_checkpoint_file_name("model.safetensors.index.json"));
    BOOST_TEST(is_checkpoint_file_name("model-00001-of-00012.safetensors"));
    BOOST_TEST(!is_checkpoint_file_name("model-final.safetensors"));
    BOOST_TEST(!is_checkpoint_file_name("model-001-of-002.safetensors"));
    BOOST_TEST(!is_checkpoint_file_name("other.safetensors"));
    BOOST_TEST(!is_checkpoint_file_name("config.json"));
}

BOOST_AUTO_TEST_CASE(single_file_checkpoint) {
    const TempDir dir;
    write_file(dir / "model.safetensors",
               safetensors_bytes(R"({"__metadata__":{"format":"pt"},)"
                                 R"("z":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},)"
                                 R"("a":{"dtype":"F32","shape":[2],"data_offsets":[3,11]}})",
                                 concat({kB, kA})));
    const CheckpointFiles c(dir.path());
    BOOST_TEST(c.dir() == dir.path());
    BOOST_TEST(!c.sharded());
    BOOST_REQUIRE(c.files().size() == 1u);
    BOOST_TEST(c.files()[0].path() == dir / "model.safetensors");
    BOOST_TEST((c.names() == std::vector<std::string>{"a", "z"}));
    BOOST_TEST((tensor_bytes(c, "a") == kA));
    BOOST_TEST((tensor_bytes(c, "z") == kB));
    const auto a = c.find("a");
    BOOST_TEST(a->file == &c.files()[0]);
    BOOST_TEST((a->info->shape == std::vector<std::int64_t>{2}));
    BOOST_TEST(!c.find("missing").has_value());
    BOOST_TEST((c.metadata() == std::map<std::string, std::string>{{"format", "pt"}}));
}

BOOST_AUTO_TEST_CASE(sharded_checkpoint_through_the_index) {
    const TempDir dir;
    write_shard1(dir);
    write_shard2(dir);
    write_index(dir, kIndex);
    CheckpointFiles c(dir.path());
    BOOST_TEST(c.sharded());
    BOOST_REQUIRE(c.files().size() == 2u);
    BOOST_TEST(c.files()[0].path() == dir / kShard1);
    BOOST_TEST(c.files()[1].path() == dir / kShard2);
    BOOST_TEST((c.names() == std::vector<std::string>{"a", "b", "c"}));
    BOOST_TEST(c.find("b")->file == &c.files()[1]);
    BOOST_TEST(c.find("c")->file == &c.files()[0]);
    BOOST_TEST((c.find("c")->info->dtype == DType::I16));
    BOOST_TEST((tensor_bytes(c, "a") == kA));
    BOOST_TEST((tensor_bytes(c, "b") == kB));
    BOOST_TEST((tensor_bytes(c, "c") == kC));
    BOOST_TEST((c.metadata() == std::map<std::string, std::string>{{"format", "pt"}}));

    // Entries point into the files the object owns; moving it keeps them valid.
    const CheckpointFiles moved = std::move(c);
    BOOST_TEST(moved.find("b")->file == &moved.files()[1]);
    BOOST_TEST((tensor_bytes(moved, "b") == kB));
}

BOOST_AUTO_TEST_CASE(single_file_is_preferred_over_an_index) {
    const TempDir dir;
    write_file(dir / "model.safetensors",
               safetensors_bytes(R"({"b":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}})", kB));
    write_index(dir, kIndex);  // its shards are absent: it must not be read
    const CheckpointFiles c(dir.path());
    BOOST_TEST(!c.sharded());
    BOOST_TEST((c.names() == std::vector<std::string>{"b"}));
}

BOOST_AUTO_TEST_CASE(missing_shard) {
    const TempDir dir;
    write_shard1(dir);
    write_index(dir, kIndex);
    check_mentions(open_error(dir.path()),
                   {(dir / "model.safetensors.index.json").string(), "tensor 'b'",
                    (dir / kShard2).string(), "does not exist"});
}

BOOST_AUTO_TEST_CASE(tensor_missing_from_its_shard) {
    const TempDir dir;
    write_shard1(dir);
    write_shard2(dir);
    write_index(dir, R"({"weight_map": {"a": "model-00001-of-00002.safetensors",)"
                     R"("b": "model-00001-of-00002.safetensors"}})");
    check_mentions(open_error(dir.path()),
                   {(dir / "model.safetensors.index.json").string(), "tensor 'b'",
                    (dir / kShard1).string(), "no tensor of that name"});
}

BOOST_AUTO_TEST_CASE(same_tensor_in_two_shards) {
    const TempDir dir;
    write_shard1(dir);
    // Shard 2 holds a second "a" besides its "b".
    write_file(dir / kShard2,
               safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                 R"("b":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}})",
                                 concat({kA, kB})));
    write_index(dir, kIndex);
    check_mentions(open_error(dir.path()),
                   {"tensor 'a'", "twice", (dir / kShard1).string(), (dir / kShard2).string()});
}

BOOST_AUTO_TEST_CASE(same_tensor_twice_in_the_weight_map) {
    const TempDir dir;
    write_shard1(dir);
    write_shard2(dir);
    write_index(dir, R"({"weight_map": {"a": "model-00001-of-00002.safetensors",)"
                     R"("a": "model-00002-of-00002.safetensors"}})");
    check_mentions(open_error(dir.path()),
                   {"model.safetensors.index.json",
                    "model.safetensors.index.json: weight_map: key \"a\" appears twice"});
}

BOOST_AUTO_TEST_CASE(malformed_index) {
    const TempDir dir;
    write_shard1(dir);
    const std::string index = (dir / "model.safetensors.index.json").string();
    write_index(dir, R"({"weight_map": {"a": )");
    check_mentions(open_error(dir.path()), {index + ": not valid JSON: ", "column 22"});
    write_index(dir, "[]");
    check_mentions(open_error(dir.path()),
                   {index + ": top level: expected an object, found an empty array"});
    write_index(dir, R"({"metadata": {"total_size": 10}})");
    check_mentions(open_error(dir.path()),
                   {index + ": weight_map: missing (expected an object mapping tensor names to "
                            "shard files)"});
    write_index(dir, R"({"weight_map": ["a"]})");
    check_mentions(open_error(dir.path()),
                   {index + ": weight_map: expected an object mapping tensor names to shard files, "
                            "found an array of 1 element"});
    write_index(dir, R"({"weight_map": {}})");
    check_mentions(open_error(dir.path()), {index + ": weight_map: lists no tensors"});
    write_index(dir, R"({"weight_map": {"a": 1}})");
    check_mentions(open_error(dir.path()),
                   {index + ": weight_map[\"a\"]: expected the file name of a shard in the same "
                            "directory, found the number 1"});
    write_index(dir, R"({"weight_map": {"a": "../model-00001-of-00002.safetensors"}})");
    check_mentions(open_error(dir.path()),
                   {index + ": weight_map[\"a\"]: expected the file name of a shard in the same "
                            "directory, found the string \"../model-00001-of-00002.safetensors\""});
    write_index(dir, R"({"metadata": 5, "weight_map": {"a": "x.safetensors"}})");
    check_mentions(open_error(dir.path()),
                   {index + ": metadata: expected an object, found the number 5"});
}

BOOST_AUTO_TEST_CASE(damaged_shard_is_reported_by_its_own_name) {
    const TempDir dir;
    write_shard1(dir);
    write_file(dir / kShard2, bytes({1, 2, 3}));
    write_index(dir, kIndex);
    check_mentions(open_error(dir.path()), {(dir / kShard2).string(), "truncated"});
}

BOOST_AUTO_TEST_CASE(no_checkpoint_in_the_directory) {
    const TempDir dir;
    write_file(dir / "config.json", std::string_view("{}"));
    check_mentions(open_error(dir.path()),
                   {dir.path().string(), "model.safetensors", "model.safetensors.index.json"});
    check_mentions(open_error(dir / "absent"), {(dir / "absent").string(), "no such directory"});
    check_mentions(open_error(dir / "config.json"),
                   {(dir / "config.json").string(), "not a directory"});
}

BOOST_AUTO_TEST_CASE(write_checkpoint_tensors_shards_reads_back_and_removes_stale_files) {
    const TempDir dir;
    // A previous single-file save, shards of an older 2-shard save, and files of the user.
    write_file(dir / "model.safetensors",
               safetensors_bytes(R"({"b":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}})", kB));
    write_shard1(dir);
    write_shard2(dir);
    write_file(dir / "notes.txt", std::string_view("keep me"));
    write_file(dir / "model-final.safetensors", std::string_view("not ours"));

    const Bytes a(16, std::byte{0x11}), b(8, std::byte{0x22}), c(3, std::byte{0x33}),
        d(24, std::byte{0x44});
    const std::vector<TensorToWrite> tensors{{"a", DType::F32, {4}, a},
                                             {"b", DType::F32, {2}, b},
                                             {"c", DType::I8, {3}, c},
                                             {"d", DType::F64, {3}, d}};
    // With 20 bytes a shard: a (16) alone, since b would make 24; b + c (11); d (24) alone, being
    // larger than the limit on its own.
    write_checkpoint_tensors(dir.path(), tensors, {{"format", "pt"}}, 20);

    const std::string s1 = "model-00001-of-00003.safetensors",
                      s2 = "model-00002-of-00003.safetensors",
                      s3 = "model-00003-of-00003.safetensors";
    BOOST_TEST(
        (dir_listing(dir) == std::set<std::string>{s1, s2, s3, "model.safetensors.index.json",
                                                   "notes.txt", "model-final.safetensors"}));

    const nlohmann::json index =
        nlohmann::json::parse(read_text(dir / "model.safetensors.index.json"));
    BOOST_TEST(index["metadata"]["total_size"].get<std::uint64_t>() == 16u + 8u + 3u + 24u);
    const nlohmann::json expected_map = {{"a", s1}, {"b", s2}, {"c", s2}, {"d", s3}};
    BOOST_TEST((index["weight_map"] == expected_map));

    const CheckpointFiles ck(dir.path());
    BOOST_TEST(ck.sharded());
    BOOST_REQUIRE(ck.files().size() == 3u);
    BOOST_TEST(ck.files()[0].tensors().size() == 1u);
    BOOST_TEST(ck.files()[1].tensors().size() == 2u);
    BOOST_TEST(ck.files()[2].tensors().size() == 1u);
    BOOST_TEST((ck.names() == std::vector<std::string>{"a", "b", "c", "d"}));
    for (const TensorToWrite& t : tensors) {
        const auto e = ck.find(t.name);
        BOOST_REQUIRE(e.has_value());
        BOOST_TEST((e->info->dtype == t.dtype));
        BOOST_TEST((e->info->shape == t.shape));
        BOOST_TEST((to_bytes(e->file->data(*e->info)) == to_bytes(t.data)));
    }
    for (const SafetensorsFile& f : ck.files())
        BOOST_TEST((f.metadata() == std::map<std::string, std::string>{{"format", "pt"}}));

    // Saving again unsharded leaves one model.safetensors and removes shards and index.
    write_checkpoint_tensors(dir.path(), tensors, {}, 0);
    BOOST_TEST((dir_listing(dir) == std::set<std::string>{"model.safetensors", "notes.txt",
                                                          "model-final.safetensors"}));
    const CheckpointFiles single(dir.path());
    BOOST_TEST(!single.sharded());
    BOOST_TEST((tensor_bytes(single, "d") == d));
    BOOST_TEST(single.metadata().empty());
}

BOOST_AUTO_TEST_CASE(write_checkpoint_tensors_fitting_one_shard_writes_one_file) {
    const TempDir dir;
    const Bytes a(16, std::byte{0x11}), b(8, std::byte{0x22});
    const std::vector<TensorToWrite> tensors{{"a", DType::F32, {4}, a}, {"b", DType::I64, {1}, b}};
    const std::filesystem::path sub = dir / "new" / "ckpt";  // created by the writer
    write_checkpoint_tensors(sub, tensors, {}, 24);          // 24 bytes in all: exactly one shard
    const CheckpointFiles c(sub);
    BOOST_TEST(!c.sharded());
    BOOST_TEST((tensor_bytes(c, "a") == a));
    BOOST_TEST((tensor_bytes(c, "b") == b));
}

BOOST_AUTO_TEST_CASE(write_checkpoint_tensors_validates_before_writing) {
    const TempDir dir;
    write_file(dir / "model.safetensors",
               safetensors_bytes(R"({"b":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}})", kB));
    const Bytes before = read_file(dir / "model.safetensors");
    const Bytes a(4, std::byte{0}), bad(5, std::byte{0});
    const std::vector<TensorToWrite> tensors{{"a", DType::F32, {1}, a},
                                             {"x", DType::F32, {1}, bad}};
    check_mentions(input_error([&] { write_checkpoint_tensors(dir.path(), tensors, {}, 4); }),
                   {dir.path().string(), "tensor 'x'", "5 bytes", "needs 4"});
    BOOST_TEST((dir_listing(dir) == std::set<std::string>{"model.safetensors"}));
    BOOST_TEST((read_file(dir / "model.safetensors") == before));
}
