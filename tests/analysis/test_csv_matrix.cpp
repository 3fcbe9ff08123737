// The CSV matrix reader: what it accepts, and that every refusal names file, line and column.
#include <filesystem>
#include <fstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "analysis/csv_matrix.hpp"
#include "base/error.hpp"

using namespace ssmscope;
using namespace ssmscope::analysis;

namespace {

// The message of the InputError that parsing `text` throws.
std::string error_of(const std::string& text) {
    try {
        parse_csv_matrix(text, "M.csv");
    } catch (const InputError& e) {
        return e.what();
    }
    BOOST_FAIL("expected an InputError for: " << text);
    return {};
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_rows_and_columns) {
    const Matrix M = parse_csv_matrix("1, 2.5, -3\n4e-3,+5,6\n", "M.csv");
    Matrix expected(2, 3);
    expected << 1, 2.5, -3, 4e-3, 5, 6;
    BOOST_TEST((M == expected));
}

BOOST_AUTO_TEST_CASE(tolerates_comments_blank_lines_crlf_bom_and_no_final_newline) {
    const Matrix M = parse_csv_matrix("\xEF\xBB\xBF# a comment\r\n\r\n1,2\r\n\t3 , 4", "M.csv");
    BOOST_TEST(M.rows() == 2);
    BOOST_TEST(M(1, 1) == 4.0);
}

BOOST_AUTO_TEST_CASE(refusals_name_the_place) {
    std::string e = error_of("1,2\n3\n");
    BOOST_TEST(contains(e, "M.csv: line 2"));
    BOOST_TEST(contains(e, "ragged"));
    e = error_of("1,2\n3,x4\n");
    BOOST_TEST(contains(e, "M.csv: line 2, column 2"));
    BOOST_TEST(contains(e, "\"x4\" is not a number"));
    e = error_of("1,,2\n");
    BOOST_TEST(contains(e, "line 1, column 2: empty entry"));
    e = error_of("1,nan\n");
    BOOST_TEST(contains(e, "column 2"));
    BOOST_TEST(contains(e, "not a finite number"));
    BOOST_TEST(contains(error_of("inf\n"), "not a finite number"));
    BOOST_TEST(contains(error_of("1e999\n"), "out of the range"));
    BOOST_TEST(contains(error_of(""), "M.csv: empty file"));
    BOOST_TEST(contains(error_of("# only a comment\n\n"), "empty file"));
    BOOST_TEST(contains(error_of("1 2\n"), "\"1 2\" is not a number"));
}

BOOST_AUTO_TEST_CASE(files_that_cannot_be_read) {
    const auto dir = std::filesystem::temp_directory_path() / "ssmscope_test_csv";
    std::filesystem::create_directories(dir);
    try {
        read_csv_matrix(dir / "missing.csv");
        BOOST_FAIL("no error for a missing file");
    } catch (const InputError& e) {
        BOOST_TEST(contains(e.what(), "missing.csv: no such file"));
    }
    BOOST_CHECK_THROW(read_csv_matrix(dir), InputError);  // a directory
    std::ofstream(dir / "ok.csv") << "7\n";
    BOOST_TEST(read_csv_matrix(dir / "ok.csv")(0, 0) == 7.0);
    std::filesystem::remove_all(dir);
}
