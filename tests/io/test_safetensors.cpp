// The safetensors reader against files assembled byte by byte, the writer through a round trip,
// and one test per kind of malformed file, each checking that the message names the file and the
// tensor or field at fault.
#include <cstring>

#include <boost/test/unit_test.hpp>

#include "base/error.hpp"
#include "model/io/dtype.hpp"
#include "model/io/safetensors.hpp"
#include "model/io/safetensors_writer.hpp"
#include "tests/io/fixtures.hpp"

using namespace ssmscope::model;
using namespace ssmscope::test;

namespace {

template <typename T>
T load(std::span<const std::byte> b, std::size_t index = 0) {
    T v{};
    std::memcpy(&v, b.data() + index * sizeof(T), sizeof(T));
    return v;
}

// A one-tensor file with the given header; returns its path.
std::filesystem::path one_file(const TempDir& dir, std::string_view header, const Bytes& data) {
    const std::filesystem::path p = dir / "bad.safetensors";
    write_file(p, safetensors_bytes(header, data));
    return p;
}

std::string open_error(const std::filesystem::path& p) {
    return input_error([&] { SafetensorsFile f(p); });
}

}  // namespace

BOOST_AUTO_TEST_CASE(dtype_names_sizes_and_round_trip) {
    BOOST_TEST(dtype_size(DType::F64) == 8u);
    BOOST_TEST(dtype_size(DType::F32) == 4u);
    BOOST_TEST(dtype_size(DType::F16) == 2u);
    BOOST_TEST(dtype_size(DType::BF16) == 2u);
    BOOST_TEST(dtype_size(DType::I64) == 8u);
    BOOST_TEST(dtype_size(DType::I32) == 4u);
    BOOST_TEST(dtype_size(DType::I16) == 2u);
    BOOST_TEST(dtype_size(DType::I8) == 1u);
    BOOST_TEST(dtype_size(DType::U8) == 1u);
    BOOST_TEST(dtype_size(DType::Bool) == 1u);
    BOOST_TEST(dtype_name(DType::BF16) == "BF16");
    BOOST_TEST(dtype_name(DType::Bool) == "BOOL");
    for (DType t : {DType::F64, DType::F32, DType::F16, DType::BF16, DType::I64, DType::I32,
                    DType::I16, DType::I8, DType::U8, DType::Bool})
        BOOST_TEST((parse_dtype(dtype_name(t)) == t));
    BOOST_TEST(!parse_dtype("f32").has_value());  // the format's names are upper case
    BOOST_TEST(!parse_dtype("F8_E4M3").has_value());
    BOOST_TEST(is_floating(DType::BF16));
    BOOST_TEST(!is_floating(DType::I64));
    BOOST_TEST(!is_floating(DType::Bool));
}

BOOST_AUTO_TEST_CASE(hand_built_file_parses_to_names_dtypes_shapes_offsets_and_bytes) {
    const TempDir dir;
    // Entries deliberately out of offset order; the header length (not a multiple of 8) leaves
    // the data section unaligned, which the reader must accept.
    const std::string header = R"({"i64":{"dtype":"I64","shape":[2],"data_offsets":[24,40]},)"
                               R"("w32":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                               R"("d64":{"dtype":"F64","shape":[],"data_offsets":[16,24]},)"
                               R"("h16":{"dtype":"F16","shape":[1,2],"data_offsets":[8,12]},)"
                               R"("b16":{"dtype":"BF16","shape":[2],"data_offsets":[12,16]}})";
    const Bytes w32 = bytes({0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0});  // 1.0f, -2.0f
    const Bytes h16 = bytes({0x00, 0x3C, 0x00, 0x38});                          // 1.0, 0.5 (half)
    const Bytes b16 = bytes({0x80, 0x3F, 0x00, 0xC0});                          // 1.0, -2.0 (bf16)
    const Bytes d64 = bytes({0, 0, 0, 0, 0, 0, 0xF0, 0x3F});                    // 1.0
    const Bytes i64 = bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,    // -1
                             0x02, 0x01, 0, 0, 0, 0, 0, 0});                    // 258
    const std::filesystem::path p = dir / "model.safetensors";
    write_file(p, safetensors_bytes(header, concat({w32, h16, b16, d64, i64})));

    const SafetensorsFile f(p);
    BOOST_TEST(f.path() == p);
    BOOST_TEST(f.data_offset() == 8 + header.size());
    BOOST_TEST(f.metadata().empty());
    const std::vector<TensorInfo>& t = f.tensors();
    BOOST_REQUIRE(t.size() == 5u);
    const std::vector<std::string> order{"w32", "h16", "b16", "d64", "i64"};
    for (std::size_t i = 0; i < order.size(); ++i)
        BOOST_TEST(t[i].name == order[i]);

    BOOST_TEST((t[0].dtype == DType::F32));
    BOOST_TEST((t[1].dtype == DType::F16));
    BOOST_TEST((t[2].dtype == DType::BF16));
    BOOST_TEST((t[3].dtype == DType::F64));
    BOOST_TEST((t[4].dtype == DType::I64));
    BOOST_TEST((t[1].shape == std::vector<std::int64_t>{1, 2}));
    BOOST_TEST(t[3].shape.empty());
    BOOST_TEST(t[3].numel() == 1);  // a scalar
    BOOST_TEST(t[1].numel() == 2);
    BOOST_TEST(t[4].begin == 24u);
    BOOST_TEST(t[4].end == 40u);
    BOOST_TEST(t[4].nbytes() == 16u);

    BOOST_TEST((to_bytes(f.data(t[0])) == w32));
    BOOST_TEST((to_bytes(f.data(t[1])) == h16));
    BOOST_TEST((to_bytes(f.data(t[2])) == b16));
    BOOST_TEST((to_bytes(f.data(t[3])) == d64));
    BOOST_TEST((to_bytes(f.data(t[4])) == i64));

    // The bytes are the little-endian values the comments above name.
    BOOST_TEST(load<float>(f.data(t[0]), 0) == 1.0f);
    BOOST_TEST(load<float>(f.data(t[0]), 1) == -2.0f);
    BOOST_TEST(load<std::uint16_t>(f.data(t[1]), 1) == 0x3800u);
    BOOST_TEST(load<std::uint16_t>(f.data(t[2]), 0) == 0x3F80u);
    BOOST_TEST(load<double>(f.data(t[3])) == 1.0);
    BOOST_TEST(load<std::int64_t>(f.data(t[4]), 0) == -1);
    BOOST_TEST(load<std::int64_t>(f.data(t[4]), 1) == 258);

    const TensorInfo* h = f.find("h16");
    BOOST_REQUIRE(h != nullptr);
    BOOST_TEST(h == &t[1]);
    BOOST_TEST(f.find("absent") == nullptr);
}

BOOST_AUTO_TEST_CASE(metadata_is_kept) {
    const TempDir dir;
    const std::string header = R"({"__metadata__":{"format":"pt","note":"x y"},)"
                               R"("a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})";
    const std::filesystem::path p = dir / "m.safetensors";
    write_file(p, safetensors_bytes(header, bytes({7, 9})));
    const SafetensorsFile f(p);
    const std::map<std::string, std::string> expected{{"format", "pt"}, {"note", "x y"}};
    BOOST_TEST((f.metadata() == expected));
    BOOST_REQUIRE(f.tensors().size() == 1u);  // __metadata__ is not a tensor
    BOOST_TEST((to_bytes(f.data(f.tensors()[0])) == bytes({7, 9})));
}

BOOST_AUTO_TEST_CASE(holes_trailing_bytes_and_empty_tensors_are_accepted) {
    const TempDir dir;
    // Data section of 12 bytes: a hole at [0, 4), "a" at [4, 8), unused bytes [8, 12); "e" is
    // empty and sits inside "a"'s span without overlapping it (it holds no byte).
    const std::string header = R"({"a":{"dtype":"I32","shape":[1],"data_offsets":[4,8]},)"
                               R"("e":{"dtype":"F32","shape":[3,0],"data_offsets":[6,6]}})";
    const std::filesystem::path p = dir / "h.safetensors";
    write_file(p, safetensors_bytes(header, bytes({1, 1, 1, 1, 0x2A, 0, 0, 0, 5, 5, 5, 5})));
    const SafetensorsFile f(p);
    BOOST_REQUIRE(f.tensors().size() == 2u);
    const TensorInfo* a = f.find("a");
    const TensorInfo* e = f.find("e");
    BOOST_REQUIRE(a != nullptr);
    BOOST_REQUIRE(e != nullptr);
    BOOST_TEST(load<std::int32_t>(f.data(*a)) == 42);
    BOOST_TEST(e->numel() == 0);
    BOOST_TEST(f.data(*e).empty());
}

BOOST_AUTO_TEST_CASE(writer_round_trip_is_byte_identical_and_header_is_8_aligned) {
    const TempDir dir;
    const Bytes w = bytes({0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x40});
    const Bytes i8 = bytes({0x01, 0xFF, 0x7F, 0x80, 0x00});
    const Bytes bf = bytes({0x80, 0x3F, 0x00, 0xC0, 0x00, 0x00, 0x80, 0xBF});
    const std::vector<TensorToWrite> tensors{
        {"layers.0.w", DType::F32, {3}, w},
        {"tokens", DType::I8, {5}, i8},
        {"layers.0.b", DType::BF16, {2, 2}, bf},
    };
    const std::filesystem::path p = dir / "out.safetensors";
    write_file(p, std::string_view("stale content that the writer must replace"));
    write_safetensors(p, tensors, {{"format", "pt"}});

    // Header length from the file's first 8 bytes, little endian.
    const Bytes file = read_file(p);
    BOOST_REQUIRE(file.size() >= 8u);
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | std::to_integer<std::uint64_t>(file[static_cast<std::size_t>(i)]);
    BOOST_TEST(n % 8 == 0u);
    BOOST_TEST(file.size() == 8 + n + 12 + 5 + 8);
    BOOST_TEST(std::to_integer<char>(file[8]) == '{');
    // Padding, if any, is spaces after the closing brace.
    std::size_t last = 8 + n - 1;
    while (std::to_integer<char>(file[last]) == ' ')
        --last;
    BOOST_TEST(std::to_integer<char>(file[last]) == '}');

    const SafetensorsFile f(p);
    BOOST_TEST(f.data_offset() == 8 + n);
    BOOST_TEST((f.metadata() == std::map<std::string, std::string>{{"format", "pt"}}));
    BOOST_REQUIRE(f.tensors().size() == 3u);
    // Laid out in the given order, back to back.
    const std::uint64_t begins[] = {0, 12, 17}, ends[] = {12, 17, 25};
    for (std::size_t i = 0; i < 3; ++i) {
        const TensorInfo& t = f.tensors()[i];
        BOOST_TEST(t.name == tensors[i].name);
        BOOST_TEST((t.dtype == tensors[i].dtype));
        BOOST_TEST((t.shape == tensors[i].shape));
        BOOST_TEST(t.begin == begins[i]);
        BOOST_TEST(t.end == ends[i]);
        BOOST_TEST((to_bytes(f.data(t)) == to_bytes(tensors[i].data)));
    }
    // Nothing but the target is left in the directory: the temporary file was renamed.
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path()))
        ++entries;
    BOOST_TEST(entries == 1u);
}

BOOST_AUTO_TEST_CASE(writer_with_no_tensors_writes_a_valid_file) {
    const TempDir dir;
    const std::filesystem::path p = dir / "empty.safetensors";
    write_safetensors(p, {});
    // "{}" padded to 8 bytes.
    BOOST_TEST((read_file(p) == concat({u64_le(8), text_bytes("{}      ")})));
    const SafetensorsFile f(p);
    BOOST_TEST(f.tensors().empty());
}

BOOST_AUTO_TEST_CASE(writer_rejects_bad_tensors_and_unwritable_paths) {
    const TempDir dir;
    const std::filesystem::path p = dir / "w.safetensors";
    const Bytes six = bytes({1, 2, 3, 4, 5, 6});
    const std::vector<TensorToWrite> wrong_size{{"x", DType::F32, {2}, six}};
    check_mentions(input_error([&] { write_safetensors(p, wrong_size); }),
                   {p.string(), "tensor 'x'", "6 bytes", "[2] of F32 needs 8"});
    const std::vector<TensorToWrite> twice{{"x", DType::U8, {6}, six}, {"x", DType::U8, {6}, six}};
    check_mentions(input_error([&] { write_safetensors(p, twice); }),
                   {p.string(), "tensor 'x'", "twice"});
    const std::vector<TensorToWrite> reserved{{"__metadata__", DType::U8, {6}, six}};
    check_mentions(input_error([&] { write_safetensors(p, reserved); }),
                   {p.string(), "'__metadata__'", "reserved"});
    const std::vector<TensorToWrite> negative{{"x", DType::U8, {-6}, six}};
    check_mentions(input_error([&] { write_safetensors(p, negative); }),
                   {p.string(), "tensor 'x'", "[-6]", "negative"});
    BOOST_TEST(!std::filesystem::exists(p));  // nothing written on failure

    const std::filesystem::path nowhere = dir / "no-such-dir" / "w.safetensors";
    const std::vector<TensorToWrite> ok{{"x", DType::U8, {6}, six}};
    check_mentions(input_error([&] { write_safetensors(nowhere, ok); }),
                   {nowhere.string(), "cannot create"});
}

// ---- malformed files: one test per kind of damage ----

BOOST_AUTO_TEST_CASE(file_shorter_than_the_header_length_is_truncated) {
    const TempDir dir;
    const std::filesystem::path p = dir / "short.safetensors";
    write_file(p, bytes({0x10, 0, 0, 0, 0}));
    check_mentions(open_error(p), {p.string(), "5 bytes", "8-byte header length", "truncated"});
}

BOOST_AUTO_TEST_CASE(empty_file_is_rejected) {
    const TempDir dir;
    const std::filesystem::path p = dir / "empty.safetensors";
    write_file(p, Bytes{});
    check_mentions(open_error(p), {p.string(), "empty"});
}

BOOST_AUTO_TEST_CASE(missing_file_is_rejected) {
    const TempDir dir;
    const std::filesystem::path p = dir / "absent.safetensors";
    check_mentions(open_error(p), {p.string(), "cannot open"});
}

BOOST_AUTO_TEST_CASE(header_length_past_end_of_file) {
    const TempDir dir;
    const std::filesystem::path p = dir / "long.safetensors";
    write_file(p, concat({u64_le(100), text_bytes("{}        ")}));  // 10 bytes follow, not 100
    check_mentions(open_error(p), {p.string(), "header length 100", "10 bytes"});
}

BOOST_AUTO_TEST_CASE(header_that_is_not_json) {
    const TempDir dir;
    const auto p = one_file(dir, R"({"a": {"dtype": "F32",)", {});
    check_mentions(open_error(p), {p.string() + ": header: not valid JSON: ", "column 23"});
}

BOOST_AUTO_TEST_CASE(header_that_is_not_an_object) {
    const TempDir dir;
    const auto p = one_file(dir, "[1, 2]", {});
    check_mentions(open_error(p),
                   {p.string() + ": header: expected an object, found an array of 2 elements"});
}

BOOST_AUTO_TEST_CASE(tensor_listed_twice_in_the_header) {
    const TempDir dir;
    const auto p = one_file(dir,
                            R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                            R"("a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                            bytes({1, 2}));
    check_mentions(open_error(p), {p.string() + ": header: key \"a\" appears twice"});
}

BOOST_AUTO_TEST_CASE(entry_that_is_not_an_object_or_lacks_fields) {
    const TempDir dir;
    check_mentions(
        open_error(one_file(dir, R"({"a": 3})", {})),
        {"bad.safetensors: header[\"a\"]: expected an object with \"dtype\", \"shape\" and "
         "\"data_offsets\", found the number 3"});
    check_mentions(
        open_error(one_file(dir, R"({"a":{"shape":[1],"data_offsets":[0,1]}})", bytes({1}))),
        {"bad.safetensors: header[\"a\"].dtype: missing (expected a string)"});
    check_mentions(
        open_error(one_file(dir, R"({"a":{"dtype":"U8","data_offsets":[0,1]}})", bytes({1}))),
        {"bad.safetensors: header[\"a\"].shape: missing (expected an array of "
         "non-negative integers)"});
    check_mentions(open_error(one_file(dir, R"({"a":{"dtype":"U8","shape":[1]}})", bytes({1}))),
                   {"bad.safetensors: header[\"a\"].data_offsets: missing (expected two "
                    "non-negative integers [begin, end])"});
    check_mentions(open_error(one_file(dir, R"({"a":{"dtype":4,"shape":[1],"data_offsets":[0,1]}})",
                                       bytes({1}))),
                   {"header[\"a\"].dtype: expected a string, found the number 4"});
    check_mentions(open_error(one_file(
                       dir, R"({"a":{"dtype":"U8","shape":2,"data_offsets":[0,1]}})", bytes({1}))),
                   {"header[\"a\"].shape: expected an array of non-negative integers, found the "
                    "number 2"});
    check_mentions(
        open_error(one_file(dir, R"({"a":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}})",
                            bytes({1}))),
        {"header[\"a\"].shape[0]: expected a non-negative integer, found the number 1.5"});
}

BOOST_AUTO_TEST_CASE(unknown_dtype) {
    const TempDir dir;
    const auto p =
        one_file(dir, R"({"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", bytes({0}));
    check_mentions(open_error(p), {p.string() + ": header[\"a\"].dtype: unknown dtype \"F8_E4M3\"",
                                   "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL"});
}

BOOST_AUTO_TEST_CASE(negative_dimension) {
    const TempDir dir;
    const auto p = one_file(dir, R"({"a":{"dtype":"U8","shape":[2,-1],"data_offsets":[0,0]}})", {});
    check_mentions(open_error(p),
                   {p.string() + ": header[\"a\"].shape[1]: expected a non-negative integer, "
                                 "found the number -1"});
}

BOOST_AUTO_TEST_CASE(data_offsets_not_two_non_decreasing_integers) {
    const TempDir dir;
    const Bytes data = bytes({0, 0, 0, 0, 0, 0, 0, 0});
    check_mentions(
        open_error(one_file(dir, R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0]}})", data)),
        {"bad.safetensors: header[\"a\"].data_offsets: expected two non-negative integers "
         "[begin, end], found an array of 1 element"});
    check_mentions(open_error(one_file(
                       dir, R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}})", data)),
                   {"header[\"a\"].data_offsets[0]: expected a non-negative integer, found the "
                    "number -1"});
    check_mentions(
        open_error(one_file(dir, R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[8,4]}})", data)),
        {"header[\"a\"].data_offsets: [8, 4) decrease", "end must not be less than begin"});
}

BOOST_AUTO_TEST_CASE(numel_times_size_differs_from_span) {
    const TempDir dir;
    const std::filesystem::path p = dir / "model.safetensors";
    write_file(
        p, safetensors_bytes(
               R"({"backbone.norm_f.weight":{"dtype":"F16","shape":[4],"data_offsets":[0,12]}})",
               Bytes(12)));
    BOOST_TEST(open_error(p) ==
               p.string() +
                   ": header[\"backbone.norm_f.weight\"]: data_offsets [0, 12) hold "
                   "12 bytes but shape [4] of F16 needs 8");
}

BOOST_AUTO_TEST_CASE(byte_count_overflowing_64_bits) {
    const TempDir dir;
    // 2^62 × 4 elements: the element count alone passes 2^63.
    const auto p = one_file(
        dir, R"({"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}})",
        Bytes(8));
    check_mentions(open_error(p), {p.string() + ": header[\"a\"]: ", "64 bits"});
}

BOOST_AUTO_TEST_CASE(span_past_end_of_data_section_means_a_truncated_file) {
    const TempDir dir;
    // F32 [4] needs [0, 16) but only 12 bytes of data follow the header.
    const auto p =
        one_file(dir, R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", Bytes(12));
    check_mentions(open_error(p),
                   {p.string() + ": header[\"a\"]: data_offsets [0, 16)",
                    "past the end of the data section", "holds 12 bytes", "truncated"});
}

BOOST_AUTO_TEST_CASE(overlapping_spans_name_both_tensors) {
    const TempDir dir;
    const auto p = one_file(dir,
                            R"({"first":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("second":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                            Bytes(12));
    check_mentions(open_error(p), {p.string(), "'first' [0, 8)", "'second' [4, 12)", "overlap"});
}

BOOST_AUTO_TEST_CASE(span_inside_an_earlier_longer_span_overlaps) {
    const TempDir dir;
    // "c" overlaps "a" though not "b", the span just before it in offset order.
    const auto p = one_file(dir,
                            R"({"a":{"dtype":"U8","shape":[10],"data_offsets":[0,10]},)"
                            R"("b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]},)"
                            R"("c":{"dtype":"U8","shape":[2],"data_offsets":[5,7]}})",
                            Bytes(10));
    check_mentions(open_error(p), {p.string(), "'a' [0, 10)", "'b' [1, 3)", "overlap"});
}

BOOST_AUTO_TEST_CASE(metadata_that_is_not_string_to_string) {
    const TempDir dir;
    check_mentions(
        open_error(one_file(dir, R"({"__metadata__":{"format":"pt","epoch":3}})", {})),
        {"bad.safetensors: header.__metadata__[\"epoch\"]: expected a string, found the number 3"});
    check_mentions(open_error(one_file(dir, R"({"__metadata__":["pt"]})", {})),
                   {"bad.safetensors: header.__metadata__: expected an object of strings, found an "
                    "array of 1 element"});
}
